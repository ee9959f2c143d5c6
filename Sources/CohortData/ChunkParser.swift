internal import CSeparators

/// Parses the body (records after the header) of one chunk of a file into column sinks.
///
/// A chunk without a quote character is split into fields 64 bytes at a time (the delimiter and
/// line-break bytes of each 64 become one bit mask, ``SeparatorMask``); a chunk with quotes
/// goes through ``RecordScanner``, which handles RFC 4180 quoting. Both hand the fields to the same
/// decoders (``FieldStore`` → ``ColumnSink``): missing tokens first, then the column's type. Both
/// check the record and field limits (``InputLimits``) on every record.
struct ChunkParser: Sendable {
    let specs: [ColumnSpec]
    /// Header position → index into `specs`, or −1 for a column that is not read.
    let slots: [Int]
    let fieldCount: Int
    let delimiter: UInt8
    let options: InputOptions
    /// The header's names (for naming the column of a field that is too long).
    let names: [String]

    /// A chunk's columns and problems. Owns the sinks' storage (see ``ColumnSink``).
    struct Output: @unchecked Sendable {
        var sinks: [ColumnSink]
        var rows = 0
        var problems: [DataError.Problem] = []
        var problemCount = 0
        /// The line number after the chunk's last record.
        var lastLine = 1
        /// Bytes of the chunk parsed (less than its length only when a record was left for the
        /// next window).
        var consumed = 0

        func free() { for sink in sinks { sink.free() } }
    }

    /// Parses `data`, whose first line is `firstLine`; `capacity` is the expected row count. With
    /// `final` false (quoted chunks only) a last record that `data` does not hold whole is left
    /// unparsed (`consumed` says where it starts).
    func parse(_ data: UnsafeBufferPointer<UInt8>, firstLine: Int, capacity: Int, quoted: Bool, final: Bool = true) throws -> Output {
        var store = FieldStore(specs: specs, options: options, capacity: capacity)
        var completed = false
        defer { if !completed { store.free() } }
        let (lastLine, consumed) =
            quoted || !final
            ? try parseQuoted(data, firstLine: firstLine, final: final, into: &store)
            : (try parseUnquoted(data, firstLine: firstLine, into: &store), data.count)
        completed = true
        var output = store.finish(lastLine: lastLine)
        output.consumed = consumed
        return output
    }

    static func fieldTooLong(name: String?, index: Int, limit: Int, start: UnsafeBufferPointer<UInt8>, line: Int) -> DataError {
        let which = name.map { "in column \(Excerpt.of($0))" } ?? "in field \(index + 1)"
        return DataError(
            .fieldTooLong,
            "a field \(which) is longer than \(limit) bytes (input.max_field); it starts \"\(Excerpt.of(start))\"",
            line: line, column: name.map { Excerpt.of($0) })
    }

    static func recordTooLong(limit: Int, line: Int) -> DataError {
        DataError(
            .recordTooLong,
            "the record starting here is longer than \(limit) bytes (input.max_record); a quote that is never closed makes one record of the rest of the file",
            line: line)
    }

    /// Rows scanned before their fields are decoded column by column: few enough that a block's
    /// text and field positions stay in the level-1 cache while each column's decoder reads
    /// them again (at 1,024 rows the block's text, about 100 KB, was read from L2 once per column;
    /// at 256 rows the positions of the benchmark's 15 read columns alone were 63 KB, twice the
    /// 32 KB level-1 cache, and 128 rows took about 3 % less of the run's CPU, measured).
    static let blockRows = 128

    /// Entries between one column's field positions and the next's: a block's rows plus one
    /// cache line. A power-of-two distance put every column's positions in the same cache sets,
    /// and the scanner's writes to 2 × columns streams evicted each other.
    static let slotStride = blockRows + 8

    /// The fast path: no field of the chunk is quoted. The separators (delimiter, CR, LF) of
    /// each 64 bytes become one bit mask (``SeparatorMask``), and the loop walks its set bits: one
    /// trailing-zero count per field, recording where each read field starts and ends. Every
    /// ``blockRows`` rows, each column's fields of the block are decoded in one tight loop.
    ///
    /// A blank line is skipped; CR LF, LF and a lone CR each end a record.
    private func parseUnquoted(_ data: UnsafeBufferPointer<UInt8>, firstLine: Int, into store: inout FieldStore) throws -> Int {
        guard let base = data.baseAddress else { return firstLine }
        let count = data.count
        let end = base + count
        let delimiter = self.delimiter
        let fieldCount = self.fieldCount
        let columns = specs.count
        let blockRows = Self.blockRows
        let slotStride = Self.slotStride
        let maxField = options.limits.maxFieldBytes
        let maxRecord = options.limits.maxRecordBytes
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: max(1, columns) * slotStride)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: max(1, columns) * slotStride)
        let lines = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        defer {
            starts.deallocate()
            ends.deallocate()
            lines.deallocate()
        }
        let masks = SeparatorMask(delimiter: delimiter)
        var line = firstLine
        var r = 0
        var position = 0
        var fieldStart = 0
        var recordStart = 0
        // The offset of the last CR that ended a record: an LF right after it is part of it.
        var lastCR = -2
        try slots.withUnsafeBufferPointer { slots in
            /// The field `fieldStart..<at` is the next of the record.
            @inline(__always)
            func field(endingAt at: Int) throws {
                if at - fieldStart > maxField {
                    throw Self.fieldTooLong(
                        name: position < names.count ? names[position] : nil, index: position, limit: maxField,
                        start: UnsafeBufferPointer(start: base + fieldStart, count: min(at - fieldStart, 4 * Excerpt.limit)), line: line)
                }
                if position < fieldCount {
                    let slot = slots[position]
                    if slot >= 0 {
                        starts[slot &* slotStride &+ r] = fieldStart
                        ends[slot &* slotStride &+ r] = at
                    }
                }
                position += 1
            }
            /// The record ends with its field count checked; `length` counts its line break.
            @inline(__always)
            func record(length: Int) throws {
                if length > maxRecord { throw Self.recordTooLong(limit: maxRecord, line: line) }
                guard position == fieldCount else {
                    throw DataError(.raggedRow, "the row has \(position) fields but the header has \(fieldCount)", line: line)
                }
                lines[r] = line
                r += 1
                position = 0
                if r == blockRows {
                    for slot in 0..<columns {
                        store.decode(
                            slot, base, starts: starts + slot * slotStride, ends: ends + slot * slotStride, rows: r, limit: end, lines: lines)
                    }
                    store.rows += r
                    r = 0
                }
            }
            var blockStart = 0
            while blockStart < count {
                var mask = masks.mask(base + blockStart, available: count - blockStart)
                while mask != 0 {
                    let at = blockStart &+ mask.trailingZeroBitCount
                    mask &= mask &- 1
                    let c = base[at]
                    if c == delimiter {
                        try field(endingAt: at)
                        fieldStart = at &+ 1
                        continue
                    }
                    if c == 0x0A && at == lastCR &+ 1 {
                        // The LF of a CR LF whose CR ended the record (or blank line).
                        fieldStart = at &+ 1
                        recordStart = fieldStart
                        continue
                    }
                    if c == 0x0D { lastCR = at }
                    let breakLength = c == 0x0D && at &+ 1 < count && base[at &+ 1] == 0x0A ? 2 : 1
                    if position == 0 && at == fieldStart {
                        // A blank line.
                        line += 1
                        fieldStart = at &+ 1
                        recordStart = fieldStart
                        continue
                    }
                    try field(endingAt: at)
                    try record(length: at &+ breakLength &- recordStart)
                    line += 1
                    fieldStart = at &+ 1
                    recordStart = fieldStart
                }
                blockStart &+= 64
            }
            // A last record without a line break.
            if position > 0 || fieldStart < count {
                try field(endingAt: count)
                try record(length: count - recordStart)
            }
        }
        if r > 0 {
            for slot in 0..<columns {
                store.decode(slot, base, starts: starts + slot * slotStride, ends: ends + slot * slotStride, rows: r, limit: end, lines: lines)
            }
            store.rows += r
        }
        return line
    }

    /// The general path: RFC 4180 quoting. Returns the line after the last record and the bytes
    /// parsed.
    private func parseQuoted(
        _ data: UnsafeBufferPointer<UInt8>, firstLine: Int, final: Bool, into store: inout FieldStore
    ) throws -> (Int, Int) {
        var scanner = RecordScanner(data: data, delimiter: delimiter, expectedFields: fieldCount + 1)
        scanner.line = firstLine
        scanner.final = final
        scanner.maxFieldBytes = options.limits.maxFieldBytes
        scanner.maxRecordBytes = options.limits.maxRecordBytes
        scanner.storedFields = fieldCount + 1
        scanner.names = names
        defer { scanner.release() }
        while let record = try scanner.nextRecord() {
            if record.count == 1 && record.fields[0].isEmpty { continue }  // blank line
            guard record.count == fieldCount else {
                throw DataError(.raggedRow, "the row has \(record.count) fields but the header has \(fieldCount)", line: record.line)
            }
            for position in 0..<fieldCount {
                let slot = slots[position]
                if slot < 0 { continue }
                // The field may be a scratch copy: its own end is the readable limit.
                store.take(slot, record.fields[position], line: record.line)
            }
            store.rows += 1
        }
        return (scanner.line, scanner.position)
    }

    /// The high bit of each zero byte of `x` (exact: no borrow crosses bytes).
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }
}

/// The separators (delimiter, CR and LF bytes) of 64 bytes of an unquoted chunk as one bit
/// mask, so that each field end is a trailing-zero count rather than a search of its own: on
/// x86-64 four 16-byte SSE2 compares (`CSeparators`), elsewhere eight words tested with SWAR
/// operations, their flags gathered by a multiplication.
struct SeparatorMask {
    let delimiter: UInt8
    private let delimiterWord: UInt64

    init(delimiter: UInt8) {
        self.delimiter = delimiter
        delimiterWord = UInt64(delimiter) &* 0x0101_0101_0101_0101
    }

    /// Bit k set when `b[k]` is a separator, for k below 64 and `available`.
    @inline(__always)
    func mask(_ b: UnsafePointer<UInt8>, available: Int) -> UInt64 {
        var bits: UInt64 = 0
        #if arch(x86_64)
            // SSE2 compares, 16 bytes at a time (a fifth of the word version's instructions).
            if available >= 64 { return csep_mask64(b, delimiter) }
        #endif
        if available >= 64 {
            let raw = UnsafeRawPointer(b)
            for k in 0..<8 {
                let word = raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)
                let hits =
                    ChunkParser.zeroBytes(word ^ delimiterWord) | ChunkParser.zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A)
                    | ChunkParser.zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
                // The high bit of byte j moves to bit j of the top byte (no carries reach it).
                bits |= (((hits >> 7) &* 0x0102_0408_1020_4080) >> 56) << UInt64(8 * k)
            }
        } else {
            for k in 0..<available {
                let c = b[k]
                if c == delimiter || c == 0x0A || c == 0x0D { bits |= 1 << UInt64(k) }
            }
        }
        return bits
    }
}

/// The decoding shared by both loops: each column's sink decodes its fields; bad values are
/// counted and (under `on_error: reject`) listed with their line and value.
struct FieldStore {
    let specs: [ColumnSpec]
    private let sinks: UnsafeMutableBufferPointer<ColumnSink>
    private let missing: TokenSet
    private let reject: Bool
    var rows = 0
    private var problems: [DataError.Problem] = []
    private var problemCount = 0
    private var bad: [(row: Int, reason: ColumnSink.BadValue)] = []

    init(specs: [ColumnSpec], options: InputOptions, capacity: Int) {
        self.specs = specs
        sinks = .allocate(capacity: specs.count)
        for (k, spec) in specs.enumerated() {
            sinks.initializeElement(at: k, to: ColumnSink(spec: spec, decimalComma: options.decimalComma, capacity: capacity))
        }
        missing = TokenSet(options.missing.map { Array($0.utf8) })
        reject = options.onError == .reject
    }

    /// Decodes `rows` fields of column `slot` (see ``ColumnSink/decode(_:starts:ends:rows:limit:missing:bad:)``);
    /// `lines[r]` is the line of row `r`.
    @inline(__always)
    mutating func decode(
        _ slot: Int, _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>,
        rows: Int, limit: UnsafePointer<UInt8>, lines: UnsafePointer<Int>
    ) {
        sinks[slot].decode(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        guard !bad.isEmpty else { return }
        problemCount += bad.count
        for (r, reason) in bad where reject && problems.count < CSVReader.maximumListedProblems {
            let value = Excerpt.of(UnsafeBufferPointer(start: base + starts[r], count: ends[r] - starts[r]))
            problems.append(
                DataError.Problem(
                    line: lines[r], column: specs[slot].name, value: value,
                    reason: sinks[slot].reason(reason)))
        }
        bad.removeAll(keepingCapacity: true)
    }

    /// Decodes one field of column `slot` on `line`.
    mutating func take(_ slot: Int, _ field: UnsafeBufferPointer<UInt8>, line: Int) {
        var start = 0
        var end = field.count
        var lineNumber = line
        var empty: UInt8 = 0
        withUnsafePointer(to: &empty) { nothing in
            let base = field.baseAddress ?? nothing
            decode(slot, base, starts: &start, ends: &end, rows: 1, limit: base + field.count, lines: &lineNumber)
        }
    }

    /// Hands the sinks over to the output (which then owns them).
    func finish(lastLine: Int) -> ChunkParser.Output {
        let output = ChunkParser.Output(
            sinks: Array(sinks), rows: rows, problems: problems,
            problemCount: problemCount, lastLine: lastLine)
        sinks.deinitialize()
        sinks.deallocate()
        return output
    }

    /// Frees everything (after an error).
    func free() {
        for sink in sinks { sink.free() }
        sinks.deinitialize()
        sinks.deallocate()
    }
}

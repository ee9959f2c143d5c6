import Dispatch
import Foundation
import Synchronization

/// One streaming read of an export (see ``CSVReader``): a window on the input that holds the
/// record carried over from the last chunk followed by the newly read chunk; its complete records
/// are parsed into the column accumulators, then the window is compacted to the carried record.
///
/// Owns the window's memory: ``release()`` is called once, when done.
struct CSVStream<Observer: ByteObserver> {
    let reader: CSVReader
    private let observer: ObserverBox<Observer>
    /// Set when the source threw: its error is the read's.
    private(set) var sourceFailed = false

    private var window: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes in the window.
    private var count = 0
    private var eof = false
    /// Window bytes from here on are not yet observed (UTF-8 input; transcoded input is observed as read).
    private var unobserved = 0
    /// Window bytes before this offset are known to be valid UTF-8.
    private var validated = 0
    /// Bytes of the (UTF-8) input before the window's first byte.
    private var windowOffset = 0
    /// The line of the window's first byte once the header is read.
    private var line = 1
    /// Raw bytes of a transcoded input, read before conversion.
    private var raw: UnsafeMutablePointer<UInt8>?
    private let rawCapacity: Int

    private var utf8: Bool { reader.options.encoding == .utf8 }

    /// Pieces a chunk is cut into for each core: small pieces (half a megabyte of an 8 MB chunk on
    /// two cores) so that the threads finish a step together; with two a core, the last piece of
    /// a step ran alone for 4–6 ms of each chunk, measured.
    static var piecesPerCore: Int { 8 }

    /// The smallest piece worth its own sinks and level lists (on many cores a chunk is cut into
    /// fewer pieces than eight a core).
    static var minimumPieceBytes: Int { 256 << 10 }
    private var limits: InputLimits { reader.options.limits }

    init(reader: CSVReader, observer: Observer) {
        self.reader = reader
        self.observer = ObserverBox(observer)
        capacity = reader.chunkSize + min(reader.options.limits.maxRecordBytes, reader.chunkSize) + 64
        window = .allocate(capacity: capacity)
        rawCapacity = reader.options.encoding == .utf8 ? 0 : reader.chunkSize / 3 + 1
        raw = rawCapacity > 0 ? .allocate(capacity: rawCapacity) : nil
    }

    mutating func release() {
        window.deallocate()
        raw?.deallocate()
        raw = nil
        capacity = 0
    }

    func takeObserver() -> Observer { observer.value }

    // MARK: Reading

    private mutating func readSource(_ source: inout some ByteSource, into buffer: UnsafeMutablePointer<UInt8>, count n: Int) throws -> Int {
        do { return try source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: n)) } catch {
            sourceFailed = true
            throw error
        }
    }

    /// Room for a chunk after the window's bytes.
    private mutating func ensureRoom() {
        let needed = count + reader.chunkSize + 64
        guard needed > capacity else { return }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: needed)
        bigger.moveInitialize(from: window, count: count)
        window.deallocate()
        window = bigger
        capacity = needed
    }

    /// Reads a chunk (or what is left) after the window's bytes.
    private mutating func fill(_ source: inout some ByteSource) throws {
        ensureRoom()
        var fresh = 0
        let chunk = reader.chunkSize
        while !eof && fresh < chunk {
            if let raw {
                let room = min(rawCapacity, (chunk - fresh) / 3)
                if room == 0 { break }
                let n = try readSource(&source, into: raw, count: room)
                if n == 0 {
                    eof = true
                    break
                }
                let bytes = UnsafeRawBufferPointer(start: raw, count: n)
                observer.observe(bytes)
                let written = Transcoding.appendUTF8(bytes, windows1252: reader.options.encoding == .windows1252, to: window + count)
                count += written
                fresh += written
            } else {
                let n = try readSource(&source, into: window + count, count: chunk - fresh)
                if n == 0 {
                    eof = true
                    break
                }
                count += n
                fresh += n
            }
        }
    }

    /// Hands the window's unobserved bytes to the observer (on this thread).
    private mutating func observePending() {
        guard utf8, unobserved < count else { return }
        observer.observe(UnsafeRawBufferPointer(start: window + unobserved, count: count - unobserved))
        unobserved = count
    }

    /// Reads the rest of the source for the observer only (after an error in the file).
    mutating func drain(_ source: inout some ByteSource) throws {
        guard Observer.self != NoObserver.self else { return }
        observePending()
        let buffer = raw ?? window
        let size = raw == nil ? capacity : rawCapacity
        while !eof {
            let n = try readSource(&source, into: buffer, count: size)
            if n == 0 { eof = true } else { observer.observe(UnsafeRawBufferPointer(start: buffer, count: n)) }
        }
    }

    // MARK: The header

    private var view: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: window, count: count) }

    /// The error for invalid UTF-8 at window offset `bad`; window offset `base` is on line `line`.
    private func encodingError(at bad: Int, from base: Int, line: Int) -> DataError {
        let before = UnsafeBufferPointer(rebasing: view[base..<bad])
        let lines = before.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return DataError(
            .invalidEncoding,
            "the file is not valid UTF-8 (byte 0x\(String(window[bad], radix: 16, uppercase: true)) at offset \(windowOffset + bad)); set input.encoding to windows-1252 or iso-8859-1 if it was exported that way",
            line: line + lines)
    }

    /// The header's names, and where the body starts in the window and on which line.
    private mutating func readHeader(_ source: inout some ByteSource) throws -> (names: [String], delimiter: UInt8, bodyStart: Int, bodyLine: Int) {
        try fill(&source)
        while true {
            var start = 0
            if count >= 3 && window[0] == 0xEF && window[1] == 0xBB && window[2] == 0xBF { start = 3 }
            let data = UnsafeBufferPointer(rebasing: view[start...])
            if eof && !data.contains(where: { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }) {
                throw DataError(.emptyFile, "the file is empty")
            }
            let delimiter = reader.options.delimiter ?? CSVReader.detectDelimiter(data)
            var scanner = RecordScanner(data: data, delimiter: delimiter)
            defer { scanner.release() }
            scanner.final = eof
            scanner.maxRecordBytes = limits.maxRecordBytes
            scanner.maxFields = limits.maxColumns
            if let header = try scanner.nextRecord() {
                for (k, field) in header.fields.enumerated() where field.count > limits.maxHeaderNameBytes {
                    throw DataError(
                        .headerNameTooLong,
                        "the name of column \(k + 1) is longer than \(limits.maxHeaderNameBytes) bytes (input.max_header_name); it starts \"\(Excerpt.of(field))\"",
                        line: 1)
                }
                let bodyStart = start + scanner.position
                if utf8, let bad = Transcoding.firstInvalidUTF8(UnsafeBufferPointer(rebasing: view[..<bodyStart])) {
                    throw encodingError(at: bad, from: 0, line: 1)
                }
                validated = bodyStart
                let names = header.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters() }
                return (names, delimiter, bodyStart, scanner.line)
            }
            guard scanner.incomplete else { throw DataError(.emptyFile, "the file is empty") }
            if count - start > limits.maxRecordBytes { throw ChunkParser.recordTooLong(limit: limits.maxRecordBytes, line: 1) }
            try fill(&source)
        }
    }

    // MARK: The whole read

    mutating func run(_ source: inout some ByteSource) throws -> Table {
        let (names, delimiter, bodyStart, bodyLine) = try readHeader(&source)
        // Map declared columns to header positions.
        var slots = [Int](repeating: -1, count: names.count)
        var specs: [ColumnSpec] = []
        var absent: [ColumnSpec] = []
        for spec in reader.columns {
            let matches = names.indices.filter { names[$0] == spec.name }
            if matches.count > 1 {
                throw DataError(.duplicateColumn, "the header names column '\(spec.name)' \(matches.count) times", line: 1, column: spec.name)
            }
            guard let position = matches.first else {
                if spec.required {
                    var message = "the file has no column '\(spec.name)'"
                    let close = names.filter { CSVReader.similar($0, spec.name) }.prefix(5)
                    if !close.isEmpty { message += "; similar: \(close.map { "'\(Excerpt.of($0))'" }.joined(separator: ", "))" }
                    throw DataError(.missingColumn, message, line: 1, column: spec.name)
                }
                absent.append(spec)
                continue
            }
            // An unread column is skipped like an undeclared one.
            if reader.unread.contains(spec.name) { continue }
            slots[position] = specs.count
            specs.append(spec)
        }
        let parser = ChunkParser(
            specs: specs, slots: slots, fieldCount: names.count, delimiter: delimiter, options: reader.options, names: names)
        // Rows from the line length of a sample, so column storage is allocated once.
        let sample = UnsafeBufferPointer(rebasing: view[bodyStart..<min(count, bodyStart + (1 << 16))])
        let sampleLines = max(1, sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        let bytesPerLine = Double(max(1, sample.count)) / Double(sampleLines)
        var columns = specs.map(ColumnAccumulator.init)
        let expectedBody = max(count - bodyStart, (source.expectedSize ?? 0) - bodyStart)
        let expectedRows = 16 + Int(Double(expectedBody) / bytesPerLine * 1.05)
        for c in columns.indices { columns[c].reserve(expectedRows) }
        var state = ParseState(parser: parser, bytesPerLine: bytesPerLine, columns: columns)
        line = bodyLine
        var start = bodyStart
        while true {
            let end = eof ? count : cut(from: start)
            let parsed = try step(start, end, state: &state)
            if eof { break }
            // Carry the incomplete record to the next chunk.
            if count - parsed > limits.maxRecordBytes { throw ChunkParser.recordTooLong(limit: limits.maxRecordBytes, line: line) }
            let carry = count - parsed
            if parsed > 0 && carry > 0 { memmove(window, window + parsed, carry) }
            count = carry
            unobserved -= parsed
            validated -= parsed
            windowOffset += parsed
            start = 0
            try fill(&source)
        }
        let problems = state.problems
        if reader.options.onError == .reject, let first = problems.first {
            let more =
                state.problemCount > problems.count
                ? " (\(state.problemCount) bad values in all; the first \(problems.count) are listed)" : ""
            throw DataError(
                .badValue, "value \"\(first.value)\" in column \(first.column) is \(first.reason)\(more)",
                line: first.line, column: first.column, problems: problems)
        }
        let rows = state.rows
        guard rows > 0 else { throw DataError(.noRows, "the file has a header but no rows", line: 1) }
        var table = Table(rowCount: rows)
        for accumulator in state.columns { table.set(accumulator.column()) }
        state.columns = []
        for spec in absent where !reader.unread.contains(spec.name) { table.set(ColumnSink.missingColumn(spec, rows: rows)) }
        // Keep the declaration order.
        return Table(rowCount: rows, columns: reader.columns.compactMap { table[$0.name] })
    }

    /// Where the window's complete records end (a guess when the window holds quotes: after the
    /// last line feed preceded by an even count of quote characters; a wrong guess is found by the
    /// parse and corrected). `start` when there is none.
    private func cut(from start: Int) -> Int {
        let region = UnsafeBufferPointer(rebasing: view[start...])
        if !CSVReader.containsQuote(region) {
            // After the last line break; a CR at the very end may be the first of CR LF.
            var i = region.count - 1
            while i >= 0 {
                let c = region[i]
                if c == 0x0A || (c == 0x0D && i < region.count - 1) { return start + i + 1 }
                i -= 1
            }
            return start
        }
        var quotes = CSVReader.countQuotes(region)
        var i = region.count - 1
        while i >= 0 {
            let c = region[i]
            if c == 0x22 {
                quotes -= 1
            } else if c == 0x0A && quotes % 2 == 0 {
                return start + i + 1
            }
            i -= 1
        }
        return start
    }

    /// Parses the complete records of `window[start..<end]` (on several threads when they are
    /// many) while the new bytes are observed and checked, appends them to the columns, and
    /// returns where the parsed records end (`end`, or where the exact parse found the last
    /// complete record when the guess was wrong).
    private mutating func step(_ start: Int, _ end: Int, state: inout ParseState) throws -> Int {
        let region = UnsafeBufferPointer(rebasing: view[start..<end])
        let parallel = region.count >= reader.parallelThreshold
        let pieceCount =
            parallel ? max(1, min(Self.piecesPerCore * ProcessInfo.processInfo.activeProcessorCount, region.count / Self.minimumPieceBytes)) : 1
        let pieces = region.isEmpty ? [] : CSVReader.split(region, into: pieceCount)
        let observeRange = utf8 ? unobserved..<count : count..<count
        let checkRange = utf8 ? validated..<count : count..<count
        let results = PieceResults(count: pieces.count)
        let shared = SharedChunks(chunks: pieces)
        let bytes = SharedWindow(base: window)
        let box = observer
        let parser = state.parser
        let firstLine = line
        let estimate = state.estimate
        let work: @Sendable (Int) -> Void = { k in
            if k == 0 {
                if !observeRange.isEmpty {
                    box.observe(UnsafeRawBufferPointer(start: bytes.base + observeRange.lowerBound, count: observeRange.count))
                }
                if !checkRange.isEmpty {
                    results.invalid = Transcoding.firstInvalidUTF8(
                        UnsafeBufferPointer(start: bytes.base + checkRange.lowerBound, count: checkRange.count)
                    )
                    .map { checkRange.lowerBound + $0 }
                }
                return
            }
            let piece = shared.chunks[k - 1]
            results.set(
                k - 1,
                Result { () throws(DataError) in
                    do {
                        return try parser.parse(
                            piece.bytes, firstLine: k == 1 ? firstLine : 1, capacity: estimate(piece.bytes.count), quoted: piece.quoted)
                    } catch let error as DataError { throw error } catch {
                        throw DataError(.unreadable, String(describing: error))
                    }
                })
        }
        if pieces.count <= 1 {
            for k in 0...pieces.count { work(k) }
        } else {
            DispatchQueue.concurrentPerform(iterations: pieces.count + 1, execute: work)
        }
        unobserved = count
        var outputs = results.all()
        defer { for case .success(let output) in outputs { output.free() } }
        // An encoding error in the bytes read comes first (a character cut by the window's end is
        // checked again with the next chunk).
        if let bad = results.invalid {
            if !eof && Transcoding.isIncompleteCharacter(UnsafeBufferPointer(rebasing: view[bad...])) {
                validated = bad
            } else {
                throw encodingError(at: bad, from: start, line: line)
            }
        } else {
            validated = count
        }
        let failed = outputs.contains {
            if case .failure = $0 { return true }
            return false
        }
        let quoted = pieces.contains(where: \.quoted)
        if failed && quoted && (pieces.count > 1 || !eof) {
            // A stray quote misled the guess of where records end: parse the window exactly.
            for case .success(let output) in outputs { output.free() }
            outputs = []
            let output = try parser.parse(
                UnsafeBufferPointer(rebasing: view[start...]), firstLine: line, capacity: estimate(count - start), quoted: true, final: eof)
            defer { output.free() }
            state.append(output, lineOffset: 0)
            line = output.lastLine
            return start + output.consumed
        }
        var lineOffset = 0
        var parsed: [ChunkParser.Output] = []
        var offsets: [Int] = []
        for result in outputs {
            switch result {
            case .failure(var error):
                if let l = error.line { error.line = l + lineOffset }
                throw error
            case .success(let output):
                parsed.append(output)
                offsets.append(lineOffset)
                lineOffset += output.lastLine - 1
            }
        }
        state.append(parsed, lineOffsets: offsets)
        if !pieces.isEmpty { line = lineOffset + 1 }
        // A guess that stopped early leaves complete records in the carry: the exact parse finds them.
        if !eof && count - end > limits.maxRecordBytes && CSVReader.containsQuote(UnsafeBufferPointer(rebasing: view[start...])) {
            let output = try parser.parse(
                UnsafeBufferPointer(rebasing: view[end...]), firstLine: line, capacity: estimate(count - end), quoted: true, final: false)
            defer { output.free() }
            state.append(output, lineOffset: 0)
            line = output.lastLine
            return end + output.consumed
        }
        return end
    }
}

/// What the chunks have added up to: the columns, rows and bad values so far.
struct ParseState {
    let parser: ChunkParser
    let bytesPerLine: Double
    var columns: [ColumnAccumulator]
    var rows = 0
    var problems: [DataError.Problem] = []
    var problemCount = 0

    /// Rows expected in `bytes` of the body.
    var estimate: @Sendable (Int) -> Int {
        let perLine = bytesPerLine
        return { bytes in 16 + Int(Double(bytes) / perLine * 1.05) }
    }

    /// Appends a piece's rows; its lines are relative to `lineOffset`.
    mutating func append(_ output: ChunkParser.Output, lineOffset: Int) {
        append([output], lineOffsets: [lineOffset])
    }

    /// Appends the pieces' rows in order; the lines of piece `k` are relative to `lineOffsets[k]`.
    /// Columns are independent: on many rows each thread appends whole columns, every piece's part
    /// of them in turn (one pass for a chunk's pieces, however finely it was cut).
    mutating func append(_ outputs: [ChunkParser.Output], lineOffsets: [Int]) {
        let total = outputs.reduce(0) { $0 + $1.rows }
        if total >= 20_000 && columns.count > 1 {
            columns.withUnsafeMutableBufferPointer { buffer in
                let shared = SharedAccumulators(columns: buffer, outputs: outputs)
                DispatchQueue.concurrentPerform(iterations: buffer.count) { c in shared.append(c) }
            }
        } else {
            for output in outputs {
                for c in columns.indices { columns[c].append(output.sinks[c]) }
            }
        }
        rows += total
        for (output, lineOffset) in zip(outputs, lineOffsets) {
            problemCount += output.problemCount
            for problem in output.problems where problems.count < CSVReader.maximumListedProblems {
                var p = problem
                p.line += lineOffset
                problems.append(p)
            }
        }
    }
}

/// The observer, called from the thread that checks a chunk while others parse it. Calls come
/// one at a time (a step's threads are joined before the next step), which is what makes handing
/// a non-`Sendable` observer between threads safe; the lock orders the accesses besides.
final class ObserverBox<Observer: ByteObserver>: Sendable {
    /// The observer, moved between threads only under the lock, one call at a time.
    private struct Held: @unchecked Sendable { var observer: Observer }
    private let state: Mutex<Held>

    init(_ observer: Observer) { state = Mutex(Held(observer: observer)) }

    func observe(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { $0.observer.observe(bytes) }
    }

    var value: Observer { state.withLock { $0 }.observer }
}

/// The window's memory, read (never written) by the threads of a step, which it outlives.
struct SharedWindow: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>!
}

/// The pieces' outputs and the check of the chunk's bytes, set by the threads of a step.
final class PieceResults: Sendable {
    private let results: Mutex<[Result<ChunkParser.Output, DataError>?]>
    private let firstInvalid = Mutex<Int?>(nil)

    init(count: Int) { results = Mutex(Array(repeating: nil, count: count)) }

    func set(_ k: Int, _ result: Result<ChunkParser.Output, DataError>) {
        results.withLock { $0[k] = result }
    }

    /// Window offset of the first byte that breaks UTF-8 among those checked.
    var invalid: Int? {
        get { firstInvalid.withLock { $0 } }
        set { firstInvalid.withLock { $0 = newValue } }
    }

    func all() -> [Result<ChunkParser.Output, DataError>] {
        results.withLock { list in
            list.map { $0 ?? .failure(DataError(.unreadable, "a part of the file was not parsed")) }
        }
    }
}

/// The accumulators of a chunk's merge, each appended to by exactly one thread (column `c` by
/// the iteration `c`, from every piece in order), while the caller waits.
struct SharedAccumulators: @unchecked Sendable {
    let columns: UnsafeMutableBufferPointer<ColumnAccumulator>
    let outputs: [ChunkParser.Output]

    func append(_ c: Int) {
        for output in outputs { columns[c].append(output.sinks[c]) }
    }
}

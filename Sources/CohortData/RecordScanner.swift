/// Splits the input into records of fields (RFC 4180), tracking line numbers and checking the
/// record and field limits as it goes.
///
/// With `final` false the input is a window on a longer stream: a record that runs to the end of
/// the window is not returned but left for the next window (``incomplete`` is set and
/// ``position`` stays at the record's start).
struct RecordScanner {
    struct Record {
        /// The record's first fields (at most ``RecordScanner/storedFields``).
        var fields: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>
        /// Fields in the record (may exceed `fields.count` for a ragged row).
        var count: Int
        var line: Int
    }

    let data: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    var position = 0
    var line = 1
    /// Whether the window ends where the input ends.
    var final = true
    /// Set when the last call stopped at a record the window does not hold whole.
    private(set) var incomplete = false
    var maxRecordBytes = Int.max
    var maxFieldBytes = Int.max
    /// More fields than this are an error (`too_many_columns`: the header's limit).
    var maxFields = Int.max
    /// Fields beyond this many are counted but not kept (a ragged row needs only its count).
    var storedFields = Int.max
    /// Header names, for naming the column of a field that is too long.
    var names: [String] = []
    /// Unescaped copies of quoted fields that contained doubled quotes (kept alive per record).
    private var scratch: [UnsafeMutableBufferPointer<UInt8>] = []
    /// Field views of the current record; grows as needed.
    private var storage: UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>

    init(data: UnsafeBufferPointer<UInt8>, delimiter: UInt8, expectedFields: Int = 64) {
        self.data = data
        self.delimiter = delimiter
        storage = .allocate(capacity: max(1, expectedFields))
    }

    /// Frees the scanner's memory; call once when done (a later record grows it again).
    mutating func release() {
        freeScratch()
        storage.deallocate()
        storage = UnsafeMutableBufferPointer(start: nil, count: 0)
    }

    private mutating func freeScratch() {
        for buffer in scratch { buffer.deallocate() }
        scratch.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private mutating func store(_ field: UnsafeBufferPointer<UInt8>, at count: Int) {
        guard count < storedFields else { return }
        if count >= storage.count {
            let bigger = UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>.allocate(capacity: max(8, storage.count * 2))
            _ = bigger.initialize(from: storage)
            storage.deallocate()
            storage = bigger
        }
        storage[count] = field
    }

    /// The error for field `index` (0-based) of the record on `line`, `bytes` long, starting at `start`.
    func fieldTooLong(_ index: Int, start: Int, line: Int) -> DataError {
        ChunkParser.fieldTooLong(
            name: index < names.count ? names[index] : nil, index: index, limit: maxFieldBytes,
            start: UnsafeBufferPointer(rebasing: data[start..<min(data.count, start + 4 * Excerpt.limit)]), line: line)
    }

    /// The next record, or `nil` at the end of the input (or, when not `final`, at a record the
    /// window does not hold whole). Its fields are valid until the next call.
    mutating func nextRecord() throws -> Record? {
        if !scratch.isEmpty { freeScratch() }
        incomplete = false
        guard position < data.count else { return nil }
        var count = 0
        let startLine = line
        let recordStart = position
        let n = data.count
        let delimiter = self.delimiter
        /// Leaves the record for the next window.
        func stop(_ scanner: inout RecordScanner) -> Record? {
            scanner.position = recordStart
            scanner.line = startLine
            scanner.incomplete = true
            if !scanner.scratch.isEmpty { scanner.freeScratch() }
            return nil
        }
        while true {
            if count >= maxFields {
                throw DataError(
                    .tooManyColumns, "the header has more than \(maxFields) columns (input.max_columns)", line: startLine)
            }
            if position < n && data[position] == 0x22 {
                // Quoted field.
                let quoteLine = line
                let fieldStart = position
                var i = position + 1
                var escaped = false
                while true {
                    guard i < n else {
                        if !final { return stop(&self) }
                        throw DataError(.unterminatedQuote, "a quoted field opened here is never closed", line: quoteLine)
                    }
                    let c = data[i]
                    if c == 0x22 {
                        if i + 1 < n && data[i + 1] == 0x22 {
                            escaped = true
                            i += 2
                            continue
                        }
                        if i + 1 >= n && !final { return stop(&self) }  // perhaps the first of a doubled quote
                        break
                    }
                    if c == 0x0A { line += 1 }
                    i += 1
                }
                if i + 1 - fieldStart > maxFieldBytes { throw fieldTooLong(count, start: fieldStart, line: quoteLine) }
                let content = UnsafeBufferPointer(rebasing: data[(position + 1)..<i])
                if escaped && count < storedFields {
                    let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: content.count)
                    var k = 0
                    var j = 0
                    while j < content.count {
                        copy[k] = content[j]
                        k += 1
                        j += content[j] == 0x22 ? 2 : 1
                    }
                    scratch.append(copy)
                    store(UnsafeBufferPointer(rebasing: UnsafeBufferPointer(copy)[0..<k]), at: count)
                } else {
                    store(content, at: count)
                }
                count += 1
                position = i + 1
                if position - recordStart > maxRecordBytes { throw recordTooLong(line: startLine) }
                if position >= n {
                    if !final { return stop(&self) }
                    break
                }
                let next = data[position]
                if next == delimiter {
                    position += 1
                    continue
                }
                if next == 0x0A {
                    position += 1
                    line += 1
                    break
                }
                if next == 0x0D && position + 1 < n && data[position + 1] == 0x0A {
                    position += 2
                    line += 1
                    break
                }
                if next == 0x0D && position + 1 >= n {
                    if !final { return stop(&self) }
                    position += 1
                    break
                }
                throw DataError(.malformedQuote, "unexpected text after a closing quote", line: line)
            }
            // Unquoted field: up to the delimiter or the end of the line.
            var i = position
            while i < n {
                let c = data[i]
                if c == delimiter || c == 0x0A || c == 0x0D { break }
                i += 1
            }
            if i - position > maxFieldBytes { throw fieldTooLong(count, start: position, line: line) }
            if i - recordStart > maxRecordBytes { throw recordTooLong(line: startLine) }
            store(UnsafeBufferPointer(rebasing: data[position..<i]), at: count)
            count += 1
            if i >= n {
                if !final { return stop(&self) }
                position = n
                break
            }
            let c = data[i]
            if c == delimiter {
                position = i + 1
                continue
            }
            if c == 0x0D && i + 1 >= n && !final { return stop(&self) }  // perhaps the first of CR LF
            if c == 0x0D && i + 1 < n && data[i + 1] == 0x0A { position = i + 2 } else { position = i + 1 }
            line += 1
            break
        }
        if position - recordStart > maxRecordBytes { throw recordTooLong(line: startLine) }
        return Record(
            fields: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(storage)[0..<min(count, storedFields)]), count: count,
            line: startLine)
    }

    func recordTooLong(line: Int) -> DataError {
        ChunkParser.recordTooLong(limit: maxRecordBytes, line: line)
    }
}

/// Splits the input into records of fields, tracking line numbers.
struct RecordScanner {
    struct Record {
        var fields: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>
        /// Fields in the record (may exceed `fields.count` for a ragged row).
        var count: Int
        var line: Int
    }

    let data: UnsafeBufferPointer<UInt8>
    let delimiter: UInt8
    var position = 0
    var line = 1
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
        if count >= storage.count {
            let bigger = UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>.allocate(capacity: max(8, storage.count * 2))
            _ = bigger.initialize(from: storage)
            storage.deallocate()
            storage = bigger
        }
        storage[count] = field
    }

    /// The next record, or `nil` at the end of the input. Its fields are valid until the next call.
    mutating func nextRecord() throws -> Record? {
        if !scratch.isEmpty { freeScratch() }
        guard position < data.count else { return nil }
        var count = 0
        let startLine = line
        let n = data.count
        let delimiter = self.delimiter
        while true {
            if position < n && data[position] == 0x22 {
                // Quoted field.
                let quoteLine = line
                var i = position + 1
                var escaped = false
                while true {
                    guard i < n else {
                        throw DataError(.unterminatedQuote, "a quoted field opened here is never closed", line: quoteLine)
                    }
                    let c = data[i]
                    if c == 0x22 {
                        if i + 1 < n && data[i + 1] == 0x22 {
                            escaped = true
                            i += 2
                            continue
                        }
                        break
                    }
                    if c == 0x0A { line += 1 }
                    i += 1
                }
                let content = UnsafeBufferPointer(rebasing: data[(position + 1)..<i])
                if escaped {
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
                if position >= n { break }
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
            store(UnsafeBufferPointer(rebasing: data[position..<i]), at: count)
            count += 1
            if i >= n {
                position = n
                break
            }
            let c = data[i]
            if c == delimiter {
                position = i + 1
                continue
            }
            if c == 0x0D && i + 1 < n && data[i + 1] == 0x0A { position = i + 2 } else { position = i + 1 }
            line += 1
            break
        }
        return Record(fields: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(storage)[0..<count]), count: count, line: startLine)
    }
}

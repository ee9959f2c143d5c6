import Dispatch
import Foundation

/// Reads a delimited export into a ``Table`` of the declared columns, byte by byte.
///
/// RFC 4180 quoting (quotes, doubled quotes, delimiters and newlines inside quotes), CRLF or LF,
/// delimiter detected among `,` `;` tab `|` when not given, UTF-8 with or without BOM (or
/// Windows-1252 / ISO-8859-1, transcoded first), decimal comma, missing tokens. Only declared
/// columns are materialised, straight into typed storage; every error names the line (1-based,
/// counting the header as line 1), the column and the value.
public struct CSVReader: Sendable {
    public let columns: [ColumnSpec]
    public let options: InputOptions
    /// At most this many bad values are listed in a rejection.
    public static let maximumListedProblems = 20

    public init(columns: [ColumnSpec], options: InputOptions) {
        self.columns = columns
        self.options = options
    }

    /// Reads `bytes` (the whole file).
    public func read(_ bytes: UnsafeRawBufferPointer) throws -> Table {
        switch options.encoding {
        case .utf8:
            return try parse(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count))
        case .windows1252, .iso88591:
            let utf8 = Transcoding.toUTF8(bytes, windows1252: options.encoding == .windows1252)
            return try utf8.withUnsafeBufferPointer { try parse($0) }
        }
    }

    /// Reads an in-memory export.
    public func read(_ bytes: [UInt8]) throws -> Table {
        try bytes.withUnsafeBytes { try read($0) }
    }

    /// Files at least this large are parsed in two halves concurrently (when no field is quoted).
    static let parallelThreshold = 4 << 20

    private func parse(_ input: UnsafeBufferPointer<UInt8>) throws -> Table {
        var data = input
        if data.count >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
            data = UnsafeBufferPointer(rebasing: data[3...])
        }
        guard data.contains(where: { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }) else {
            throw DataError(.emptyFile, "the file is empty")
        }
        if options.encoding == .utf8, let bad = Transcoding.firstInvalidUTF8(data) {
            let line = 1 + data[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw DataError(.invalidEncoding, "the file is not valid UTF-8 (byte 0x\(String(data[bad], radix: 16, uppercase: true)) at offset \(bad)); set input.encoding to windows-1252 or iso-8859-1 if it was exported that way", line: line)
        }
        let delimiter = options.delimiter ?? Self.detectDelimiter(data)
        var scanner = RecordScanner(data: data, delimiter: delimiter)
        defer { scanner.release() }
        guard let header = try scanner.nextRecord() else { throw DataError(.emptyFile, "the file is empty") }
        let names = header.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters() }
        let bodyStart = scanner.position
        let bodyLine = scanner.line
        // Map declared columns to header positions.
        var slots = [Int](repeating: -1, count: names.count)
        var specs: [ColumnSpec] = []
        var absent: [ColumnSpec] = []
        for spec in columns {
            let matches = names.indices.filter { names[$0] == spec.name }
            if matches.count > 1 {
                throw DataError(.duplicateColumn, "the header names column '\(spec.name)' \(matches.count) times", line: 1, column: spec.name)
            }
            guard let position = matches.first else {
                if spec.required {
                    var message = "the file has no column '\(spec.name)'"
                    let close = names.filter { Self.similar($0, spec.name) }
                    if !close.isEmpty { message += "; similar: \(close.map { "'\($0)'" }.joined(separator: ", "))" }
                    throw DataError(.missingColumn, message, line: 1, column: spec.name)
                }
                absent.append(spec)
                continue
            }
            slots[position] = specs.count
            specs.append(spec)
        }
        let body = UnsafeBufferPointer(rebasing: data[bodyStart...])
        // Split in two at a line break when no quote can hide one.
        var chunks = [body]
        if body.count >= Self.parallelThreshold && !body.contains(0x22) {
            var split = body.count / 2
            while split < body.count && body[split - 1] != 0x0A { split += 1 }
            if split < body.count {
                chunks = [UnsafeBufferPointer(rebasing: body[..<split]), UnsafeBufferPointer(rebasing: body[split...])]
            }
        }
        let parser = ChunkParser(specs: specs, slots: slots, fieldCount: names.count, delimiter: delimiter,
                                 options: options)
        // Row estimates from the line length of a sample, so column storage is allocated once: the
        // first chunk reserves room for the whole file, since the others are appended to it.
        let sample = UnsafeBufferPointer(rebasing: body[..<min(body.count, 1 << 16)])
        let sampleLines = max(1, sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        func estimate(_ bytes: Int) -> Int { 16 + Int(Double(bytes) * Double(sampleLines) / Double(max(1, sample.count)) * 1.05) }
        let capacities = chunks.indices.map { $0 == 0 ? estimate(body.count) : estimate(chunks[$0].count) }
        let results = ChunkResults(count: chunks.count)
        if chunks.count == 1 {
            results.set(0, Result { try parser.parse(chunks[0], firstLine: bodyLine, capacity: capacities[0]) })
        } else {
            // The buffers stay valid: the caller's bytes outlive this synchronous call.
            let shared = SharedChunks(chunks: chunks)
            DispatchQueue.concurrentPerform(iterations: shared.chunks.count) { k in
                results.set(k, Result { try parser.parse(shared.chunks[k], firstLine: k == 0 ? bodyLine : 1, capacity: capacities[k]) })
            }
        }
        // Merge; the second chunk's line numbers start after the first chunk's last line.
        var merged: ChunkParser.Output? = nil
        var lineOffset = 0
        for k in 0..<chunks.count {
            let result = results.get(k)
            switch result {
            case .failure(var error as DataError):
                if let line = error.line { error.line = line + lineOffset }
                throw error
            case .failure(let error):
                throw error
            case .success(var output):
                for i in output.problems.indices { output.problems[i].line += lineOffset }
                if var m = merged {
                    m.rows += output.rows
                    m.problemCount += output.problemCount
                    m.problems += output.problems
                    for i in m.builders.indices { m.builders[i].append(contentsOf: output.builders[i]) }
                    merged = m
                } else {
                    merged = output
                }
                lineOffset = k == 0 ? output.lastLine - 1 : lineOffset
            }
        }
        guard let output = merged else { throw DataError(.emptyFile, "the file is empty") }
        let problems = Array(output.problems.prefix(Self.maximumListedProblems))
        if options.onError == .reject, let first = problems.first {
            let more = output.problemCount > problems.count ? " (\(output.problemCount) bad values in all; the first \(problems.count) are listed)" : ""
            throw DataError(.badValue, "value \"\(first.value)\" in column \(first.column) is \(first.reason)\(more)",
                            line: first.line, column: first.column, problems: problems)
        }
        guard output.rows > 0 else { throw DataError(.noRows, "the file has a header but no rows", line: 1) }
        var table = Table(rowCount: output.rows)
        for builder in output.builders { table.set(builder.build()) }
        for spec in absent {
            var builder = ColumnBuilder(spec: spec, decimalComma: false, capacity: output.rows)
            for _ in 0..<output.rows { builder.appendMissing() }
            table.set(builder.build())
        }
        // Keep the declaration order.
        return Table(rowCount: output.rows, columns: columns.compactMap { table[$0.name] })
    }

    /// The delimiter that occurs most often outside quotes on the header line.
    static func detectDelimiter(_ data: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]
        var counts = [Int](repeating: 0, count: 4)
        var quoted = false
        for byte in data {
            if byte == 0x22 { quoted.toggle(); continue }
            if quoted { continue }
            if byte == 0x0A { break }
            if let k = candidates.firstIndex(of: byte) { counts[k] += 1 }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return counts[best] > 0 ? candidates[best] : 0x2C
    }

    static func similar(_ a: String, _ b: String) -> Bool {
        let x = a.lowercased().filter { $0.isLetter || $0.isNumber }, y = b.lowercased().filter { $0.isLetter || $0.isNumber }
        let contained = min(x.count, y.count) >= 3 && (x.contains(y) || y.contains(x))
        return x == y || contained || EditDistance.levenshtein(x, y) <= max(1, y.count / 4)
    }
}

/// Parses the body (records after the header) of one chunk into column builders.
struct ChunkParser: Sendable {
    let specs: [ColumnSpec]
    let slots: [Int]
    let fieldCount: Int
    let delimiter: UInt8
    let options: InputOptions

    struct Output: Sendable {
        var builders: [ColumnBuilder]
        var rows = 0
        var problems: [DataError.Problem] = []
        var problemCount = 0
        /// The line number after the chunk's last record.
        var lastLine = 1
    }

    func parse(_ data: UnsafeBufferPointer<UInt8>, firstLine: Int, capacity: Int) throws -> Output {
        var output = Output(builders: specs.map { ColumnBuilder(spec: $0, decimalComma: options.decimalComma, capacity: capacity) })
        let missingTokens = TokenSet(options.missing.map { Array($0.utf8) })
        let reject = options.onError == .reject
        var scanner = RecordScanner(data: data, delimiter: delimiter, expectedFields: fieldCount + 1)
        scanner.line = firstLine
        defer { scanner.release() }
        var problems: [DataError.Problem] = []
        var problemCount = 0
        var rows = 0
        let slots = self.slots, specs = self.specs, fieldCount = self.fieldCount
        try output.builders.withUnsafeMutableBufferPointer { builders in
            while let record = try scanner.nextRecord() {
                if record.count == 1 && record.fields[0].isEmpty { continue }  // blank line
                guard record.count == fieldCount else {
                    throw DataError(.raggedRow, "the row has \(record.count) fields but the header has \(fieldCount)", line: record.line)
                }
                for position in 0..<fieldCount {
                    let slot = slots[position]
                    if slot < 0 { continue }
                    let field = record.fields[position]
                    if missingTokens.contains(field) {
                        builders[slot].appendMissing()
                        continue
                    }
                    if let reason = builders[slot].append(field) {
                        problemCount += 1
                        builders[slot].badValues += 1
                        builders[slot].appendMissing()
                        if reject && problems.count < CSVReader.maximumListedProblems {
                            problems.append(DataError.Problem(line: record.line, column: specs[slot].name,
                                                              value: String(decoding: field, as: UTF8.self), reason: reason))
                        }
                    }
                }
                rows += 1
            }
        }
        output.rows = rows
        output.problems = problems
        output.problemCount = problemCount
        output.lastLine = scanner.line
        return output
    }
}

/// Results of chunks parsed on several threads.
final class ChunkResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<ChunkParser.Output, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ result: Result<ChunkParser.Output, any Error>) {
        lock.lock()
        results[k] = result
        lock.unlock()
    }

    func get(_ k: Int) -> Result<ChunkParser.Output, any Error> {
        lock.lock()
        defer { lock.unlock() }
        return results[k] ?? .failure(DataError(.unreadable, "a part of the file was not parsed"))
    }
}

/// Views into the caller's bytes, read (never written) by the chunk parsers.
struct SharedChunks: @unchecked Sendable {
    let chunks: [UnsafeBufferPointer<UInt8>]
}

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
                        if i + 1 < n && data[i + 1] == 0x22 { escaped = true; i += 2; continue }
                        break
                    }
                    if c == 0x0A { line += 1 }
                    i += 1
                }
                let content = UnsafeBufferPointer(rebasing: data[(position + 1)..<i])
                if escaped {
                    let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: content.count)
                    var k = 0, j = 0
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
                if next == delimiter { position += 1; continue }
                if next == 0x0A { position += 1; line += 1; break }
                if next == 0x0D && position + 1 < n && data[position + 1] == 0x0A { position += 2; line += 1; break }
                if next == 0x0D && position + 1 >= n { position += 1; break }
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
            if i >= n { position = n; break }
            let c = data[i]
            if c == delimiter { position = i + 1; continue }
            if c == 0x0D && i + 1 < n && data[i + 1] == 0x0A { position = i + 2 } else { position = i + 1 }
            line += 1
            break
        }
        return Record(fields: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(storage)[0..<count]), count: count, line: startLine)
    }
}

/// Character-set conversions and checks on raw bytes.
enum Transcoding {
    /// Windows-1252's 0x80–0x9F block (0 = unassigned, read as U+FFFD).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    static func toUTF8(_ bytes: UnsafeRawBufferPointer, windows1252: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for b in bytes {
            if b < 0x80 { out.append(b); continue }
            var scalar = UInt32(b)
            if windows1252 && b < 0xA0 {
                let mapped = windows1252High[Int(b - 0x80)]
                scalar = mapped == 0 ? 0xFFFD : mapped
            }
            out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "?")).utf8))
        }
        return out
    }

    /// The offset of the first byte that breaks UTF-8, or `nil` when the input is valid.
    static func firstInvalidUTF8(_ data: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = data.count
        let raw = UnsafeRawBufferPointer(data)
        while i < n {
            // ASCII fast path: eight bytes at a time.
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b = data[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            if b & 0xE0 == 0xC0 { length = 2; minimum = 0x80; scalar = UInt32(b & 0x1F) }
            else if b & 0xF0 == 0xE0 { length = 3; minimum = 0x800; scalar = UInt32(b & 0x0F) }
            else if b & 0xF8 == 0xF0 { length = 4; minimum = 0x10000; scalar = UInt32(b & 0x07) }
            else { return i }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = data[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += length
        }
        return nil
    }
}

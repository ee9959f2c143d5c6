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

    /// Bodies at least this many bytes are parsed in chunks on several threads.
    public var parallelThreshold: Int

    public init(columns: [ColumnSpec], options: InputOptions, parallelThreshold: Int = 4 << 20) {
        self.columns = columns
        self.options = options
        self.parallelThreshold = parallelThreshold
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

    private func parse(_ input: UnsafeBufferPointer<UInt8>) throws -> Table {
        var data = input
        if data.count >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
            data = UnsafeBufferPointer(rebasing: data[3...])
        }
        guard data.contains(where: { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }) else {
            throw DataError(.emptyFile, "the file is empty")
        }
        let delimiter = options.delimiter ?? Self.detectDelimiter(data)
        var scanner = RecordScanner(data: data, delimiter: delimiter)
        defer { scanner.release() }
        guard let header = try scanner.nextRecord() else { throw DataError(.emptyFile, "the file is empty") }
        let bodyStart = scanner.position
        let bodyLine = scanner.line
        try validateUTF8(UnsafeBufferPointer(rebasing: data[..<bodyStart]), in: data, at: 0)
        let names = header.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters() }
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
        let chunks = Self.split(body, into: body.count >= parallelThreshold ? 2 * ProcessInfo.processInfo.activeProcessorCount : 1)
        let parser = ChunkParser(specs: specs, slots: slots, fieldCount: names.count, delimiter: delimiter, options: options)
        // Row estimates from the line length of a sample, so column storage is allocated once.
        let sample = UnsafeBufferPointer(rebasing: body[..<min(body.count, 1 << 16)])
        let sampleLines = max(1, sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        let bytesPerLine = Double(max(1, sample.count)) / Double(sampleLines)
        let estimate: @Sendable (Int) -> Int = { bytes in 16 + Int(Double(bytes) / bytesPerLine * 1.05) }
        // Each chunk is checked (UTF-8), then parsed; on several threads when there are several.
        let base = bodyStart
        func parseChunks(_ chunks: [Chunk]) -> [Result<ChunkParser.Output, any Error>] {
            let results = ChunkResults(count: chunks.count)
            let shared = SharedChunks(chunks: chunks)
            let work: @Sendable (Int) -> Void = { [options] k in
                let chunk = shared.chunks[k]
                results.set(
                    k,
                    Result {
                        if options.encoding == .utf8, let bad = Transcoding.firstInvalidUTF8(chunk.bytes) {
                            throw ChunkResults.InvalidByte(offset: base + chunk.offset + bad)
                        }
                        return try parser.parse(
                            chunk.bytes, firstLine: k == 0 ? bodyLine : 1, capacity: estimate(chunk.bytes.count),
                            quoted: chunk.quoted)
                    })
            }
            if chunks.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks.count, execute: work) }
            return results.all()
        }
        var outputs = parseChunks(chunks)
        // Chunks of a quoted file are cut where the count of quote characters says a line ends;
        // a stray quote inside an unquoted field would mislead that count, so any error there is
        // decided by parsing the body in one piece.
        if chunks.count > 1 && chunks.contains(where: \.quoted)
            && outputs.contains(where: {
                if case .failure = $0 { return true }
                return false
            })
        {
            for case .success(let output) in outputs { output.free() }
            outputs = parseChunks([Chunk(bytes: body, offset: 0, quoted: true)])
        }
        defer { for case .success(let output) in outputs { output.free() } }
        // An encoding error anywhere comes first, then the first chunk's error.
        if let bad = outputs.compactMap({ result -> Int? in
            if case .failure(let error as ChunkResults.InvalidByte) = result { return error.offset }
            return nil
        }).min() {
            try validateUTF8(UnsafeBufferPointer(rebasing: data[bad...]), in: data, at: bad)
        }
        // Line numbers: chunk k starts after the lines of the chunks before it.
        var lineOffset = 0
        var rows = 0
        var problems: [DataError.Problem] = []
        var problemCount = 0
        var parts: [ChunkParser.Output] = []
        for result in outputs {
            switch result {
            case .failure(var error as DataError):
                if let line = error.line { error.line = line + lineOffset }
                throw error
            case .failure(let error):
                throw error
            case .success(let output):
                rows += output.rows
                problemCount += output.problemCount
                problems += output.problems.map {
                    var p = $0
                    p.line += lineOffset
                    return p
                }
                parts.append(output)
                lineOffset += output.lastLine - 1
            }
        }
        problems = Array(problems.prefix(Self.maximumListedProblems))
        if options.onError == .reject, let first = problems.first {
            let more = problemCount > problems.count ? " (\(problemCount) bad values in all; the first \(problems.count) are listed)" : ""
            throw DataError(
                .badValue, "value \"\(first.value)\" in column \(first.column) is \(first.reason)\(more)",
                line: first.line, column: first.column, problems: problems)
        }
        guard rows > 0 else { throw DataError(.noRows, "the file has a header but no rows", line: 1) }
        // Merge each column's chunks (columns on several threads when the file was split).
        let merged = MergedColumns(count: specs.count)
        let sharedParts = SharedOutputs(outputs: parts)
        let mergeColumn: @Sendable (Int) -> Void = { c in merged.set(c, ColumnSink.merge(sharedParts.outputs.map { $0.sinks[c] })) }
        if parts.count == 1 {
            for c in specs.indices { mergeColumn(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: specs.count, execute: mergeColumn)
        }
        var table = Table(rowCount: rows)
        for column in merged.all() { table.set(column) }
        for spec in absent { table.set(ColumnSink.missingColumn(spec, rows: rows)) }
        // Keep the declaration order.
        return Table(rowCount: rows, columns: columns.compactMap { table[$0.name] })
    }

    /// Throws when `bytes` (at offset `offset` of `data`) are not valid UTF-8, naming the line.
    private func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>, in data: UnsafeBufferPointer<UInt8>, at offset: Int) throws {
        guard options.encoding == .utf8, let local = Transcoding.firstInvalidUTF8(bytes) else { return }
        let bad = offset + local
        let line = 1 + data[..<bad].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        throw DataError(
            .invalidEncoding,
            "the file is not valid UTF-8 (byte 0x\(String(data[bad], radix: 16, uppercase: true)) at offset \(bad)); set input.encoding to windows-1252 or iso-8859-1 if it was exported that way",
            line: line)
    }

    /// Splits the body into about `count` chunks at line breaks outside quotes. A chunk records
    /// whether it holds a quote (then it is parsed by the general path).
    static func split(_ body: UnsafeBufferPointer<UInt8>, into count: Int) -> [Chunk] {
        let hasQuotes = containsQuote(body)
        var chunks: [Chunk] = []
        var start = 0
        var quotes = 0  // quote characters before `start` (an even count: outside quotes)
        var k = 1
        while k < count && start < body.count {
            var cut = max(start, body.count * k / count)
            k += 1
            if hasQuotes { quotes += countQuotes(UnsafeBufferPointer(rebasing: body[start..<cut])) }
            // Forward to the next line break outside quotes.
            var inQuotes = quotes % 2 == 1
            while cut < body.count {
                let c = body[cut]
                cut += 1
                if c == 0x22 {
                    inQuotes.toggle()
                    quotes += 1
                } else if c == 0x0A && !inQuotes {
                    break
                }
            }
            if cut >= body.count { break }
            let bytes = UnsafeBufferPointer(rebasing: body[start..<cut])
            chunks.append(Chunk(bytes: bytes, offset: start, quoted: hasQuotes && containsQuote(bytes)))
            start = cut
        }
        let rest = UnsafeBufferPointer(rebasing: body[start...])
        chunks.append(Chunk(bytes: rest, offset: start, quoted: hasQuotes && containsQuote(rest)))
        return chunks
    }

    static func containsQuote(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.baseAddress.map { memchr($0, 0x22, bytes.count) != nil } ?? false
    }

    /// Quote characters in `bytes`, eight bytes at a time.
    static func countQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var total = 0
        var i = 0
        let raw = UnsafeRawPointer(base)
        while bytes.count - i >= 8 {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            total += ChunkParser.zeroBytes(word ^ 0x2222_2222_2222_2222).nonzeroBitCount
            i += 8
        }
        while i < bytes.count {
            if bytes[i] == 0x22 { total += 1 }
            i += 1
        }
        return total
    }

    /// A part of the body parsed on its own.
    struct Chunk: @unchecked Sendable {
        /// A view into the caller's bytes, which outlive the (synchronous) parse.
        var bytes: UnsafeBufferPointer<UInt8>
        /// Offset in the body.
        var offset: Int
        var quoted: Bool
    }

    /// The delimiter that occurs most often outside quotes on the header line.
    static func detectDelimiter(_ data: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]
        var counts = [Int](repeating: 0, count: 4)
        var quoted = false
        for byte in data {
            if byte == 0x22 {
                quoted.toggle()
                continue
            }
            if quoted { continue }
            if byte == 0x0A { break }
            if let k = candidates.firstIndex(of: byte) { counts[k] += 1 }
        }
        let best = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return counts[best] > 0 ? candidates[best] : 0x2C
    }

    static func similar(_ a: String, _ b: String) -> Bool {
        let x = a.lowercased().filter { $0.isLetter || $0.isNumber }
        let y = b.lowercased().filter { $0.isLetter || $0.isNumber }
        let contained = min(x.count, y.count) >= 3 && (x.contains(y) || y.contains(x))
        return x == y || contained || EditDistance.levenshtein(x, y) <= max(1, y.count / 4)
    }
}

/// Results of chunks parsed on several threads.
final class ChunkResults: @unchecked Sendable {
    /// A chunk's first byte that breaks UTF-8 (at `offset` from the start of the data).
    struct InvalidByte: Error { var offset: Int }

    private let lock = NSLock()
    private var results: [Result<ChunkParser.Output, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ result: Result<ChunkParser.Output, any Error>) {
        lock.lock()
        results[k] = result
        lock.unlock()
    }

    func all() -> [Result<ChunkParser.Output, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return results.map { $0 ?? .failure(DataError(.unreadable, "a part of the file was not parsed")) }
    }
}

/// Columns merged on several threads.
final class MergedColumns: @unchecked Sendable {
    private let lock = NSLock()
    private var columns: [Column?]

    init(count: Int) { columns = Array(repeating: nil, count: count) }

    func set(_ k: Int, _ column: Column?) {
        lock.lock()
        columns[k] = column
        lock.unlock()
    }

    func all() -> [Column] {
        lock.lock()
        defer { lock.unlock() }
        return columns.compactMap { $0 }
    }
}

/// The chunks, read (never written) by the parsing threads.
struct SharedChunks: @unchecked Sendable {
    let chunks: [CSVReader.Chunk]
}

/// The chunks' outputs, read (never written) by the merging threads.
struct SharedOutputs: @unchecked Sendable {
    let outputs: [ChunkParser.Output]
}

import Dispatch
import Foundation
import Synchronization

/// Reads a delimited export into a ``Table`` of the declared columns, streaming.
///
/// RFC 4180 quoting (quotes, doubled quotes, delimiters and newlines inside quotes), CRLF or LF,
/// delimiter detected among `,` `;` tab `|` when not given, UTF-8 with or without BOM (or
/// Windows-1252 / ISO-8859-1, transcoded chunk by chunk), decimal comma, missing tokens. Only
/// declared columns are materialised, straight into typed storage; every error names the line
/// (1-based, counting the header as line 1), the column and the (cut) value.
///
/// The input is read from a ``ByteSource`` once, in chunks of ``chunkSize`` bytes: each chunk's
/// complete records are parsed (on several threads when the chunk is large) and appended to the
/// columns, and the incomplete record at its end is carried to the next chunk, so the reader holds
/// at most one chunk plus `input.max_record` of the file. UTF-8 is checked as the bytes
/// arrive (a character cut by a chunk's end is checked with the next chunk); an encoding error
/// in the bytes read so far comes before any other error of the same chunk.
public struct CSVReader: Sendable {
    public let columns: [ColumnSpec]
    public let options: InputOptions
    /// Declared columns whose presence is checked (when `required`) but whose values are not kept:
    /// the table has no such column. For columns nothing reads (the pipeline's unread identifiers).
    public let unread: Set<String>
    /// At most this many bad values are listed in a rejection.
    public static let maximumListedProblems = 20

    /// Chunks whose records take at least this many bytes are parsed in pieces on several threads.
    public var parallelThreshold: Int
    /// Bytes read from the source at a time.
    public var chunkSize: Int

    /// 8 MiB: a window, its pieces' field positions and sinks stay within the processor's cache
    /// while the pieces are scanned and then decoded (measured on the 10M-row benchmark export,
    /// read alone, interleaved: 16 MiB 2.51–2.66 s, 8 MiB 2.40–2.56 s, 4 MiB 3.0–3.4 s, where the
    /// steps' fixed costs and the serial read between them show).
    public static let defaultChunkSize = 8 << 20

    public init(
        columns: [ColumnSpec], options: InputOptions, unread: Set<String> = [], parallelThreshold: Int = 4 << 20,
        chunkSize: Int = defaultChunkSize
    ) {
        self.columns = columns
        self.unread = unread
        self.options = options
        self.parallelThreshold = parallelThreshold
        self.chunkSize = max(64, chunkSize)
    }

    /// Reads `bytes` (the whole file, which the caller keeps alive meanwhile).
    public func read(_ bytes: UnsafeRawBufferPointer) throws -> Table {
        var source = BufferSource(bytes)
        return try read(from: &source)
    }

    /// Reads an in-memory export.
    public func read(_ bytes: [UInt8]) throws -> Table {
        try bytes.withUnsafeBytes { try read($0) }
    }

    /// Reads the export from `source`, once, start to end.
    ///
    /// - Throws: ``DataError`` (the source's own errors as they are).
    public func read(from source: inout some ByteSource) throws -> Table {
        var none = NoObserver()
        return try read(from: &source, observer: &none)
    }

    /// Reads the export from `source`, once, handing every byte read to `observer` as well (on a
    /// thread of its own while the chunk before is parsed). When the file has an error the parse
    /// stops there, but the rest is still read (into the observer only, in constant memory), so
    /// that the observer sees the whole file; an error of the source itself stops at once and is
    /// the error thrown.
    ///
    /// - Throws: ``DataError``.
    public func read<Observer: ByteObserver>(from source: inout some ByteSource, observer: inout Observer) throws -> Table {
        var stream = CSVStream(reader: self, observer: observer)
        defer { stream.release() }
        do {
            let table = try stream.run(&source)
            observer = stream.takeObserver()
            return table
        } catch let error as DataError where !stream.sourceFailed {
            // Read the rest for the observer; a failing source then wins (the file changed?).
            do { try stream.drain(&source) } catch let sourceError as DataError {
                observer = stream.takeObserver()
                throw sourceError
            }
            observer = stream.takeObserver()
            throw error
        } catch {
            observer = stream.takeObserver()
            throw error
        }
    }

    /// Bytes per record in a sample of an export's start (its header left out), for estimating
    /// rows from a file's size before reading it: see ``InputOptions``'s limits and the pipeline's
    /// memory estimate. `nil` when the sample holds no complete record after the header.
    public static func bytesPerRecord(sample: UnsafeRawBufferPointer) -> Double? {
        let bytes = sample.bindMemory(to: UInt8.self)
        guard let firstBreak = bytes.firstIndex(of: 0x0A) else { return nil }
        let body = UnsafeBufferPointer(rebasing: bytes[(firstBreak + 1)...])
        guard let lastBreak = body.lastIndex(of: 0x0A) else { return nil }
        let lines = body[...lastBreak].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        return Double(lastBreak + 1) / Double(max(1, lines))
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

/// The observer of a read that has none.
struct NoObserver: ByteObserver {
    mutating func observe(_ bytes: UnsafeRawBufferPointer) {}
}

/// The pieces of a chunk, read (never written) by the parsing threads.
struct SharedChunks: @unchecked Sendable {
    let chunks: [CSVReader.Chunk]
}

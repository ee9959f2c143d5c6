import CohortData
import Synchronization
import Testing

/// A source that hands out at most `step` bytes a call (as a pipe or a slow disk might).
struct TrickleSource: ByteSource {
    var bytes: [UInt8]
    var step: Int
    var offset = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let n = min(step, buffer.count, bytes.count - offset)
        for k in 0..<max(0, n) { buffer[k] = bytes[offset + k] }
        offset += max(0, n)
        return max(0, n)
    }
}

/// Collects what it observes.
struct Recorder: ByteObserver {
    var seen: [UInt8] = []
    mutating func observe(_ bytes: UnsafeRawBufferPointer) { seen += bytes }
}

/// A source that fails after some bytes.
struct FailingSource: ByteSource {
    var inner: MemorySource
    var failAfter: Int
    var given = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        if given >= failAfter { throw DataError(.readFailed, "injected") }
        let n = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(buffer.count, failAfter - given)]))
        given += n
        return n
    }
}

/// Streaming: the file read in chunks (down to a few bytes) gives the table one pass gives, with
/// the same line numbers, whatever falls on a chunk's edge: quoted line breaks, doubled quotes,
/// CR LF, multibyte characters, stray quotes.
@Suite struct StreamingReadTests {
    static func read(_ bytes: [UInt8], chunk: Int, step: Int = .max, options: InputOptions = InputOptions()) throws -> Table {
        var source = TrickleSource(bytes: bytes, step: step)
        return try CSVReader(columns: CSVReaderTests.columns, options: options, parallelThreshold: 256, chunkSize: chunk)
            .read(from: &source)
    }

    static func error(_ bytes: [UInt8], chunk: Int, options: InputOptions = InputOptions()) -> DataError? {
        do {
            _ = try read(bytes, chunk: chunk, options: options)
            return nil
        } catch let e as DataError { return e } catch { return nil }
    }

    /// Quoted fields, CR LF, UTF-8 of 2–4 bytes, a stray quote, late levels.
    static func text(rows: Int) -> String {
        var text = "id,x,g\r\n"
        for i in 0..<rows {
            let id: String
            switch i % 11 {
            case 0: id = "\"p\(i),\r\nzweite Zeile\""
            case 3: id = "\"say \"\"\(i)\"\"\""
            case 5: id = "Müller-\(i)-€-😀"
            case 7: id = i == 7 ? "p7\"stray" : "p\(i)"
            default: id = "p\(i)"
            }
            let level = i < rows / 2 ? ["a", "b"][i % 2] : ["a", "b", "späť", "\"quoted\nlevel\""][i % 4]
            text += "\(id),\(i % 10 == 3 ? "NA" : "\(i).25"),\(level)\r\n"
        }
        return text
    }

    @Test(arguments: [64, 97, 256, 1_000, 4_096])
    func chunkEdgesGiveTheSameTable(chunk: Int) throws {
        let bytes = Array(Self.text(rows: 600).utf8)
        let whole = try CSVReader(columns: CSVReaderTests.columns, options: InputOptions(), parallelThreshold: .max).read(bytes)
        #expect(whole.rowCount == 600)
        #expect(ChunkedCSVTests.same(try Self.read(bytes, chunk: chunk), whole))
        #expect(ChunkedCSVTests.same(try Self.read(bytes, chunk: chunk, step: 7), whole))
        guard case .id(let ids)? = whole["id"]?.data, case .category(_, let levels)? = whole["g"]?.data else {
            Issue.record("wrong column types")
            return
        }
        #expect(ids[0] == "p0,\r\nzweite Zeile" && ids[3] == "say \"3\"" && ids[5] == "Müller-5-€-😀" && ids[7] == "p7\"stray")
        #expect(levels == ["a", "b", "späť", "quoted\nlevel"])
    }

    @Test(arguments: [64, 300, 5_000])
    func errorsKeepTheirLinesAcrossChunks(chunk: Int) throws {
        let text = Self.text(rows: 400)
        let lines = text.utf8.count { $0 == 0x0A }  // Characters would merge CR LF
        let bad = try #require(Self.error(Array((text + "z,notanumber,a\n").utf8), chunk: chunk))
        #expect(bad.code == .badValue && bad.line == lines + 1 && bad.problems.first?.value == "notanumber")
        let ragged = try #require(Self.error(Array((text + "z,1\n").utf8), chunk: chunk))
        #expect(ragged.code == .raggedRow && ragged.line == lines + 1)
        let open = try #require(Self.error(Array((text + "\"never closed,1,a\n").utf8), chunk: chunk))
        #expect(open.code == .unterminatedQuote && open.line == lines + 1)
        var invalid = Array(text.utf8)
        invalid += Array("z,1,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let encoding = try #require(Self.error(invalid, chunk: chunk))
        #expect(encoding.code == .invalidEncoding && encoding.line == lines + 1)
    }

    @Test func aCharacterCutByTheChunkEdgeIsValid() throws {
        // "€" (3 bytes) placed across every offset of a small chunk.
        for pad in 0..<6 {
            let text = "id,x,g\n" + String(repeating: "p", count: pad + 1) + ",1,€€€€€€€€€€€€€€€€\n" + "q,2,€\n"
            let t = try Self.read(Array(text.utf8), chunk: 64)
            guard case .category(let codes, let levels)? = t["g"]?.data else {
                Issue.record("g")
                return
            }
            #expect(levels == [String(repeating: "€", count: 16), "€"] && codes == [0, 1])
        }
    }

    @Test func windows1252IsTranscodedChunkByChunk() throws {
        var options = InputOptions()
        options.encoding = .windows1252
        var bytes = Array("id,x,g\n".utf8)
        for i in 0..<300 { bytes += Array("p\(i),1,".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x80] + [0x0A] }
        let t = try Self.read(bytes, chunk: 64, options: options)
        guard case .category(let codes, let levels)? = t["g"]?.data else {
            Issue.record("g")
            return
        }
        #expect(levels == ["Müller€"] && codes.count == 300 && t.rowCount == 300)
    }

    @Test func theObserverSeesEveryByteOnceInOrder() throws {
        let bytes = Array(Self.text(rows: 500).utf8)
        var source = TrickleSource(bytes: bytes, step: 13)
        var recorder = Recorder()
        let t = try CSVReader(columns: CSVReaderTests.columns, options: InputOptions(), parallelThreshold: 256, chunkSize: 200)
            .read(from: &source, observer: &recorder)
        #expect(t.rowCount == 500)
        #expect(recorder.seen.count == bytes.count && recorder.seen.elementsEqual(bytes))
        // After an error in the file the rest is still read for the observer.
        let bad = Array(("id,x,g\nq,1\n" + Self.text(rows: 300).dropFirst(8)).utf8)
        var badSource = TrickleSource(bytes: bad, step: 1_000)
        var second = Recorder()
        #expect(throws: DataError.self) {
            _ = try CSVReader(columns: CSVReaderTests.columns, options: InputOptions(), chunkSize: 128).read(from: &badSource, observer: &second)
        }
        #expect(second.seen.count == bad.count && second.seen.elementsEqual(bad))
        // Transcoded input: the observer sees the raw bytes.
        var options = InputOptions()
        options.encoding = .iso88591
        let latin: [UInt8] = Array("id,x,g\na,1,".utf8) + [0xE9] + [0x0A]
        var latinSource = MemorySource(latin)
        var third = Recorder()
        _ = try CSVReader(columns: CSVReaderTests.columns, options: options).read(from: &latinSource, observer: &third)
        #expect(third.seen == latin)
    }

    @Test func aSourceErrorIsTheReadsError() throws {
        let bytes = Array(Self.text(rows: 500).utf8)
        var source = FailingSource(inner: MemorySource(bytes), failAfter: 3_000)
        var recorder = Recorder()
        do {
            _ = try CSVReader(columns: CSVReaderTests.columns, options: InputOptions(), chunkSize: 1_024).read(from: &source, observer: &recorder)
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.code == .readFailed)
        }
        // What was observed is a start of the file (a source that fails has no digest to give).
        #expect(recorder.seen.count <= 3_000 && recorder.seen.elementsEqual(bytes.prefix(recorder.seen.count)))
    }
}

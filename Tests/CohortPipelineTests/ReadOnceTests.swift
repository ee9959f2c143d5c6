import CohortConfiguration
import CohortData
import CohortPipeline
import Foundation
import Testing

/// `PipelineRunner.read(from:)`: one read gives the digest, the byte count and the prepared
/// cohort (or the file's error); `run(_:info:)` analyses it; the in-memory `run` agrees.
@Suite struct ReadOnceTests {
    static let yaml = """
        name: once
        match: ["*.csv"]
        input: {max_record: 2KiB, max_field: 100, max_header_name: 1 KiB, max_columns: 5}
        columns: {id: id, time: number, dead: {type: boolean, true: ["1"], false: ["0"]}, grp: category, n: integer}
        survival: {time: time, event: dead, unit: days}
        cohort:
          - {drop: {grp: z}, reason: "group z"}
        analyses:
          - {id: km, plugin: kaplan_meier, by: grp}
        """

    static func csv(rows: Int) -> String {
        var text = "id,time,dead,grp,n\n"
        for i in 0..<rows { text += "p\(i),\(1 + i % 17),\(i % 3 == 0 ? 1 : 0),\(["a", "b", "z"][i % 3]),\(i)\n" }
        return text
    }

    static func runner() throws -> PipelineRunner {
        PipelineRunner(try LoadedPipeline(text: yaml, file: "once.yaml", directory: NSTemporaryDirectory(), registry: testRegistry))
    }

    @Test func theInputSectionSetsTheLimits() throws {
        let limits = try Self.runner().loaded.pipeline.input.limits
        #expect(limits == InputLimits(maxRecordBytes: 2_048, maxFieldBytes: 100, maxHeaderNameBytes: 1_024, maxColumns: 5))
        let defaults = try Pipeline(
            yaml: Self.yaml.replacingOccurrences(of: "input: {max_record: 2KiB, max_field: 100, max_header_name: 1 KiB, max_columns: 5}\n", with: ""),
            file: "p.yaml")
        #expect(defaults.input.limits == InputLimits())
        for bad in ["max_record: 0", "max_field: 12XB", "max_columns: 0", "max_header_name: -1KiB", "max_record: 2TiB"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                _ = try Pipeline(yaml: Self.yaml.replacingOccurrences(of: "max_columns: 5", with: bad), file: "p.yaml")
            }
        }
    }

    @Test func oneReadGivesTheDigestTheSizeAndTheCohort() async throws {
        let runner = try Self.runner()
        let bytes = Array(Self.csv(rows: 3_000).utf8)
        var source = MemorySource(bytes)
        let input = runner.read(from: &source)
        #expect(input.sha256 == Digest.sha256(bytes) && input.bytes == bytes.count && input.complete)
        let prepared = try input.prepared.get()
        #expect(prepared.rows == 3_000 && prepared.table.rowCount == 2_000)
        let outcome = await runner.run(input, info: RunInfo(id: "r", fileName: "f.csv"))
        #expect(outcome.status == .ok && outcome.result.input.sha256 == input.sha256 && outcome.result.cohortSize == 2_000)
        // The in-memory wrapper gives the same results.json but for times.
        let wrapped = await runner.run(Data(bytes), info: RunInfo(id: "r", fileName: "f.csv", started: outcome.result.started))
        #expect(wrapped.result.input.sha256 == input.sha256 && wrapped.result.flow == outcome.result.flow)
        #expect(wrapped.result.analyses.map(\.result) == outcome.result.analyses.map(\.result))
    }

    @Test func analysesOneAtATimeGiveTheSameResults() async throws {
        // Above the partition threshold, so analyses run as parts; width 1 runs them in turn.
        let yaml = Self.yaml.replacingOccurrences(
            of: "  - {id: km, plugin: kaplan_meier, by: grp}",
            with:
                "  - {id: km, plugin: kaplan_meier, by: grp}\n  - {id: lr, plugin: logrank, groups: [grp, {variable: n, cutoff: median}]}\n  - {id: d, plugin: descriptives, variables: [n, grp]}"
        )
        var runner = PipelineRunner(try LoadedPipeline(text: yaml, file: "once.yaml", directory: NSTemporaryDirectory(), registry: testRegistry))
        var source = MemorySource(Array(Self.csv(rows: 45_000).utf8))
        let input = runner.read(from: &source)
        let parallel = await runner.run(input, info: RunInfo(id: "r", fileName: "f.csv"))
        runner.maxConcurrentTasks = 1
        let serial = await runner.run(input, info: RunInfo(id: "r", fileName: "f.csv"))
        #expect(parallel.status == .ok && serial.status == .ok && serial.result.analyses.count == 3)
        #expect(serial.result.analyses.map(\.result) == parallel.result.analyses.map(\.result))
        #expect(runner.estimatedPeakBytes(fileSize: 1 << 30) < PipelineRunner(runner.loaded).estimatedPeakBytes(fileSize: 1 << 30))
    }

    @Test func aFileThatFailsIsStillHashedWhole() async throws {
        let runner = try Self.runner()
        // A field over the pipeline's 100-byte limit on line 3, then many more rows.
        let text = "id,time,dead,grp,n\np0,1,1,a,1\np1,1,1,a," + String(repeating: "9", count: 200) + "\n" + Self.csv(rows: 500).dropFirst(19)
        let bytes = Array(text.utf8)
        var source = MemorySource(bytes)
        let input = runner.read(from: &source)
        #expect(input.failure?.code == .fieldTooLong && input.failure?.line == 3 && input.failure?.column == "n")
        #expect(input.sha256 == Digest.sha256(bytes) && input.bytes == bytes.count && input.complete)
        let outcome = await runner.run(input, info: RunInfo(id: "r", fileName: "f.csv"))
        #expect(outcome.status == .failed && outcome.failure?.code == .fieldTooLong && outcome.result.input.sha256 == input.sha256)
        // Too many columns for the pipeline's max_columns: 5.
        var wide = MemorySource(Array("id,time,dead,grp,n,extra\np,1,1,a,1,x\n".utf8))
        #expect(runner.read(from: &wide).failure?.code == .tooManyColumns)
    }

    @Test func aFileReadThroughItsDescriptorIsHashedAsItIs() async throws {
        let runner = try Self.runner()
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("once-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = Array(Self.csv(rows: 1_000).utf8)
        try Data(bytes).write(to: url)
        let fd = open(url.path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let identity = try #require(FileDescriptorSource.Identity.of(descriptor: fd))
        var source = FileDescriptorSource(descriptor: fd, expected: identity)
        let input = runner.read(from: &source)
        #expect(input.sha256 == Digest.sha256(bytes) && input.bytes == bytes.count && (try? input.prepared.get().rows) == 1_000)
    }

    @Test func theStreamingDigestIsTheWholeDigest() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var stream = Digest.SHA256Stream()
        var k = 0
        while k < bytes.count {
            let end = min(bytes.count, k + 1 + k % 977)
            bytes[k..<end].withUnsafeBytes { stream.observe($0) }
            k = end
        }
        #expect(stream.hex == Digest.sha256(bytes) && stream.count == bytes.count)
        // A known digest: SHA-256 of "abc".
        #expect(Digest.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

/// The memory estimate the daemon admits files by.
@Suite struct MemoryEstimateTests {
    static func runner(_ columns: String) throws -> PipelineRunner {
        let yaml = """
            name: m
            match: ["*.csv"]
            columns: {\(columns)}
            analyses:
              - {id: d, plugin: descriptives, variables: [x]}
            """
        return PipelineRunner(try LoadedPipeline(text: yaml, file: "m.yaml", directory: NSTemporaryDirectory(), registry: testRegistry))
    }

    @Test func theEstimateGrowsWithTheFileAndTheColumns() throws {
        let narrow = try Self.runner("x: number")
        let wide = try Self.runner("x: number, id: id, g: category, d: date, b: boolean")
        #expect(wide.tableBytesPerRow == 8 + 16 + 4 + 4 + 1 && narrow.tableBytesPerRow == 8)
        let small = narrow.estimatedPeakBytes(fileSize: 1 << 20)
        let large = narrow.estimatedPeakBytes(fileSize: 1 << 30)
        #expect(small < large && large > (1 << 30) / 4 * 8)
        #expect(wide.estimatedPeakBytes(fileSize: 1 << 30, bytesPerRecord: 40) > narrow.estimatedPeakBytes(fileSize: 1 << 30, bytesPerRecord: 40))
        // Longer records mean fewer rows.
        #expect(narrow.estimatedPeakBytes(fileSize: 1 << 30, bytesPerRecord: 100) < narrow.estimatedPeakBytes(fileSize: 1 << 30, bytesPerRecord: 10))
    }

    @Test func theEstimateCoversTheTableItPredicts() throws {
        let runner = try Self.runner("x: number, id: id, g: category")
        var text = "id,x,g,unused\n"
        for i in 0..<50_000 { text += "p\(i),\(i % 91).5,\(["a", "b"][i % 2]),zzz\n" }
        let bytes = Array(text.utf8)
        let perRecord = try #require(bytes.withUnsafeBytes { CSVReader.bytesPerRecord(sample: UnsafeRawBufferPointer(rebasing: $0[..<4_096])) })
        #expect(abs(perRecord - Double(bytes.count) / 50_001) < 0.15 * perRecord)  // early ids are shorter
        var source = MemorySource(bytes)
        let table = try runner.read(from: &source).prepared.get().table
        let stored = table.rowCount * (MemoryLayout<Double>.stride + MemoryLayout<String>.stride + MemoryLayout<Int32>.stride)
        #expect(runner.estimatedPeakBytes(fileSize: bytes.count, bytesPerRecord: perRecord) > stored)
        #expect(runner.estimatedPeakBytes(fileSize: bytes.count) >= runner.estimatedPeakBytes(fileSize: bytes.count, bytesPerRecord: perRecord))
    }
}

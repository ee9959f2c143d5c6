import CohortConfiguration
import CohortDaemon
import CohortStore
import Foundation
import Logging
import Testing

@testable import cohortd

/// The daemon's file handling: every dropped file ends with exactly one results folder or one
/// failure record, also when a previous run stopped at any step.
@Suite struct DaemonTests {
    static let pipeline = """
        name: km-test
        match: ["km_*.csv", "sub/*.csv"]
        columns: {time: number, dead: {type: boolean, true: ["1"], false: ["0"]}, sex: category}
        survival: {time: time, event: dead, unit: months}
        analyses:
          - {id: overall, plugin: kaplan_meier, times: [6]}
          - {id: bysex, plugin: logrank, groups: [sex]}
        """
    static let csv = "time,dead,sex\n5,1,M\n8,0,F\n12,1,F\n3,1,M\n9,0,M\n"

    /// A temporary installation: configuration, pipelines, and a processor over them.
    struct Installation {
        let root: String
        let layout: DaemonLayout
        let store: Store
        let processor: FileProcessor

        init(settle: Double = 0) throws {
            root = NSTemporaryDirectory() + "cohortd-daemon-\(UUID().uuidString)"
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/etc/pipelines.d", withIntermediateDirectories: true)
            try DaemonTests.pipeline.write(toFile: root + "/etc/pipelines.d/km.yaml", atomically: true, encoding: .utf8)
            let yaml = "drop: ../drop\nstate: ../state\nresults: ../results\nsettle: \(settle)\n"
            let configuration = try DaemonConfiguration(yaml: yaml, file: "cohortd.yaml", directory: root + "/etc")
            layout = DaemonLayout(configuration)
            try layout.prepare()
            store = try Store(path: configuration.store)
            processor = FileProcessor(
                layout: layout, store: store, pipelines: try PipelineSet.load(from: configuration.pipelines, registry: BuiltInPlugins.registry),
                skipDuplicates: true, maxFileSize: 1 << 20, logger: Logger(label: "test"))
        }

        func drop(_ name: String, _ text: String) throws {
            let path = layout.drop + "/" + name
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }

        /// Scans once and processes everything ready.
        func cycle() async {
            for entry in DropScanner(root: layout.drop, settle: 0).scan() { await processor.take(entry) }
        }

        func files(_ dir: String) -> [String] {
            (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
        }

        func runFolders() -> [String] { files(layout.results).filter { $0.split(separator: "/").count == 2 } }
    }

    @Test func aGoodFileIsPublishedAndArchived() async throws {
        let site = try Installation()
        try site.drop("km_1.csv", Self.csv)
        try site.drop("sub/export.csv", Self.csv + "15,0,F\n")
        await site.cycle()
        #expect(site.runFolders().count == 2)
        let inputs = try site.store.recentInputs(limit: 10)
        #expect(inputs.count == 2 && inputs.allSatisfy { $0.state == .archived })
        #expect(site.files(site.layout.archive).filter { $0.hasSuffix(".csv") }.count == 2)
        #expect(site.files(site.layout.drop).filter { $0.hasSuffix(".csv") }.isEmpty)
        let folder = try #require(site.runFolders().first)
        let results = try String(contentsOfFile: site.layout.results + "/" + folder + "/results.json", encoding: .utf8)
        #expect(results.contains("\"status\": \"ok\""))
        let run = try #require(try site.store.runs().first)
        #expect(try site.store.analyses(runID: run.runID).map(\.id) == ["overall", "bysex"])
    }

    @Test func aBadFileFailsWithItsErrorBesideIt() async throws {
        let site = try Installation()
        try site.drop("km_bad.csv", "time,dead,sex\n5,1,M\n8,maybe,F\n")
        try site.drop("unmatched.csv", Self.csv)
        await site.cycle()
        #expect(site.runFolders().isEmpty)
        let failed = site.files(site.layout.failed)
        #expect(failed.filter { $0.hasSuffix(".error.json") }.count == 2)
        #expect(failed.filter { $0.hasSuffix(".csv") }.count == 2)
        let errorFile = try #require(failed.first { $0.hasSuffix("km_bad.csv.error.json") })
        let text = try String(contentsOfFile: site.layout.failed + "/" + errorFile, encoding: .utf8)
        #expect(text.contains("\"line\": 3") && text.contains("\"column\": \"dead\"") && text.contains("\"kind\": \"bad_value\""))
        #expect(text.contains("\"file\": \"km_bad.csv\"") && text.contains("\"pipeline\": \"km-test\""))
        #expect(try site.store.stateCounts()[.failed] == 2)
    }

    @Test func aFullDiskKeepsTheInputAndRetriesWithoutCountingAttempts() async throws {
        let site = try Installation()
        let diskFull = FaultSwitch()
        diskFull.on = true
        let processor = FileProcessor(
            layout: site.layout, store: site.store, pipelines: site.processor.pipelines,
            skipDuplicates: true, maxFileSize: 1 << 20, logger: Logger(label: "test"),
            publishFault: { diskFull.on ? POSIXError(.ENOSPC) : nil })
        try site.drop("km_1.csv", Self.csv)
        for entry in DropScanner(root: site.layout.drop, settle: 0).scan() { await processor.take(entry) }
        let input = try #require(try site.store.recentInputs(limit: 1).first)
        #expect(input.state == .claimed && input.attempts == 0 && input.error?.contains("could not write the results") == true)
        #expect(site.files(site.layout.processing).count == 1)
        #expect(site.runFolders().isEmpty && site.files(site.layout.failed).isEmpty)
        #expect(processor.retries.count == 1)
        // Still full: retried several times, never failed for "crashing".
        for _ in 0..<4 {
            for retry in processor.retries.due(now: Date().addingTimeInterval(3600)) { await processor.process(runID: retry.runID, name: retry.name) }
        }
        #expect(try site.store.input(runID: input.runID)?.state == .claimed)
        #expect(try site.store.input(runID: input.runID)?.attempts == 0)
        // Space again: the next retry publishes it.
        diskFull.on = false
        for retry in processor.retries.due(now: Date().addingTimeInterval(7200)) { await processor.process(runID: retry.runID, name: retry.name) }
        #expect(try site.store.input(runID: input.runID)?.state == .archived)
        #expect(site.runFolders().count == 1)
        #expect(processor.retries.count == 0)
    }

    @Test func aFIFOIsNeitherOpenedNorBlocking() async throws {
        let site = try Installation()
        try #require(mkfifo(site.layout.drop + "/km_pipe.csv", 0o600) == 0)
        try site.drop("km_ok.csv", Self.csv)
        await site.cycle()
        #expect(site.runFolders().count == 1)
        let errorFile = try #require(site.files(site.layout.failed).first { $0.hasSuffix("km_pipe.csv.error.json") })
        let text = try String(contentsOfFile: site.layout.failed + "/" + errorFile, encoding: .utf8)
        #expect(text.contains("FIFO"))
    }

    @Test func aSymlinkIsNotFollowed() async throws {
        let site = try Installation()
        let target = site.root + "/secret.csv"
        try Self.csv.write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: site.layout.drop + "/km_link.csv", withDestinationPath: target)
        await site.cycle()
        #expect(FileManager.default.fileExists(atPath: target))
        #expect(site.runFolders().isEmpty)
        let errorFile = try #require(site.files(site.layout.failed).first { $0.hasSuffix(".error.json") })
        let text = try String(contentsOfFile: site.layout.failed + "/" + errorFile, encoding: .utf8)
        #expect(text.contains("symbolic link"))
    }

    @Test func duplicateContentIsSkippedAndArchived() async throws {
        let site = try Installation()
        try site.drop("km_1.csv", Self.csv)
        await site.cycle()
        try site.drop("km_2.csv", Self.csv)
        await site.cycle()
        #expect(site.runFolders().count == 1)
        #expect(try site.store.stateCounts()[.skipped] == 1)
        #expect(site.files(site.layout.archive).filter { $0.hasSuffix(".csv") }.count == 2)
    }

    @Test func recoveryFinishesEveryInterruptedStep() async throws {
        let site = try Installation()
        let fm = FileManager.default
        // (a) claimed and moved, never analysed.
        try site.store.recordClaim(runID: "r-a", name: "km_a.csv")
        try Self.csv.write(toFile: site.layout.processing + "/r-a--km_a.csv", atomically: true, encoding: .utf8)
        // (b) journaled, still in the drop directory.
        try site.store.recordClaim(runID: "r-b", name: "km_b.csv")
        try site.drop("km_b.csv", Self.csv + "20,1,M\n")
        // (c) published, input not yet archived.
        try site.store.recordClaim(runID: "r-c", name: "km_c.csv")
        try site.store.recordAttempt(runID: "r-c", sha256: "c", bytes: 1, pipeline: "km-test", pipelineSHA256: "x")
        try site.store.recordPublished(
            Store.Run(
                runID: "r-c", pipeline: "km-test", pipelineSHA256: "x", version: "0.1.0", started: Date(),
                finished: Date(), status: "ok", error: nil, resultsPath: "x", readSeconds: nil, analysisSeconds: nil),
            analyses: [])
        try Self.csv.write(toFile: site.layout.processing + "/r-c--km_c.csv", atomically: true, encoding: .utf8)
        // (d) crashed the worker three times already.
        try site.store.recordClaim(runID: "r-d", name: "km_d.csv")
        for _ in 0..<3 { try site.store.recordAttempt(runID: "r-d", sha256: "d", bytes: 1, pipeline: "km-test", pipelineSHA256: "y") }
        try (Self.csv + "30,0,F\n").write(toFile: site.layout.processing + "/r-d--km_d.csv", atomically: true, encoding: .utf8)
        // (e) a partial run folder of an interrupted attempt.
        try fm.createDirectory(atPath: site.layout.work + "/r-z", withIntermediateDirectories: true)

        await site.processor.recover()
        #expect(try site.store.unfinishedInputs().isEmpty)
        #expect(try site.store.input(runID: "r-a")?.state == .archived)
        #expect(try site.store.input(runID: "r-b")?.state == .archived)
        #expect(try site.store.input(runID: "r-c")?.state == .archived)
        let d = try #require(try site.store.input(runID: "r-d"))
        #expect(d.state == .failed && d.error?.contains("crashed or hung 3 times") == true)
        #expect(site.runFolders().count == 2)  // a and b; c was published before
        #expect((try? fm.contentsOfDirectory(atPath: site.layout.processing))?.isEmpty == true)
        #expect((try? fm.contentsOfDirectory(atPath: site.layout.work))?.isEmpty == true)
        // A second recovery changes nothing.
        await site.processor.recover()
        #expect(site.runFolders().count == 2)
    }

    @Test func aRunFolderPublishedBeforeTheJournalIsNotMadeTwice() async throws {
        let site = try Installation()
        try site.drop("km_1.csv", Self.csv)
        await site.cycle()
        let run = try #require(try site.store.runs().first)
        // Simulate a crash between publishing the folder and journaling it: journal back to claimed,
        // input back in processing.
        let input = try #require(try site.store.input(runID: run.runID))
        try site.store.recordState(runID: run.runID, .claimed)
        let archived = try #require(site.files(site.layout.archive).first { $0.hasSuffix(".csv") })
        try FileManager.default.moveItem(
            atPath: site.layout.archive + "/" + archived,
            toPath: site.layout.processing + "/" + "\(run.runID)--km_1.csv")
        await site.processor.recover()
        #expect(try site.store.input(runID: input.runID)?.state == .archived)
        #expect(site.runFolders().count == 1)
    }

    @Test func theScannerWaitsForFilesToSettleAndIgnoresPartialNames() throws {
        let root = NSTemporaryDirectory() + "cohortd-scan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for name in ["a.csv", ".hidden.csv", "b.csv.part", "c.tmp", "d.partial", "e~"] {
            try "x\n".write(toFile: root + "/" + name, atomically: false, encoding: .utf8)
        }
        let scanner = DropScanner(root: root, settle: 60)
        let now = Date()
        #expect(scanner.scan(now: now).isEmpty)  // just written: not settled
        #expect(scanner.scan(now: now.addingTimeInterval(30)).isEmpty)
        #expect(scanner.scan(now: now.addingTimeInterval(61)).map(\.relativePath) == ["a.csv"])
        // A change restarts the wait (the file was just modified).
        try "x\ny\n".write(toFile: root + "/a.csv", atomically: false, encoding: .utf8)
        #expect(scanner.scan(now: Date()).isEmpty)
        // A file last modified longer ago than `settle` (renamed in after being written) is taken at once.
        let fresh = DropScanner(root: root, settle: 60)
        #expect(fresh.scan(now: Date().addingTimeInterval(120)).map(\.relativePath) == ["a.csv"])
    }

    @Test func aFileStillOpenForWritingIsNotTakenAfterItSettles() throws {
        let root = NSTemporaryDirectory() + "cohortd-open-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let path = root + "/slow.csv"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("id,x\n".utf8)))
        let writer = try #require(FileHandle(forWritingAtPath: path))
        try writer.seekToEnd()
        try writer.write(contentsOf: Data("1,2\n".utf8))
        // The daemon owns the file here, so Linux can tell it is open for writing.
        #expect(DropScanner.isOpenForWriting(path))
        let scanner = DropScanner(root: root, settle: 1)
        let now = Date()
        #expect(scanner.scan(now: now).isEmpty)
        // Size and time unchanged for longer than `settle`: it looks complete, but the writer
        // still holds it open, so the daemon holds it back for another `settle`.
        #expect(scanner.scan(now: now.addingTimeInterval(5)).map(\.relativePath) == ["slow.csv"])
        scanner.holdBack("slow.csv", now: now.addingTimeInterval(5))
        #expect(scanner.scan(now: now.addingTimeInterval(5.5)).isEmpty)
        #expect(scanner.pendingCount == 1)
        try writer.close()
        #expect(!DropScanner.isOpenForWriting(path))
        #expect(scanner.scan(now: now.addingTimeInterval(6.5)).map(\.relativePath) == ["slow.csv"])
        // A file opened only for reading does not hold it back.
        let reader = try #require(FileHandle(forReadingAtPath: path))
        defer { try? reader.close() }
        #expect(!DropScanner.isOpenForWriting(path))
    }

    @Test func aForcedInotifyOverflowIsFollowedByARescanThatFindsTheLostFiles() async throws {
        let root = NSTemporaryDirectory() + "cohortd-overflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let watcher = try #require(InotifyWatcher(root: root))
        defer { watcher.stop() }
        _ = watcher.takeRescanNeeded()  // the one asked for at start
        // The reader stops draining the queue, as under a burst it cannot keep up with.
        watcher.pauseReading(true)
        try await Task.sleep(for: .milliseconds(30))
        let limit =
            Int(
                (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16_384
        // Ignored names fill the kernel's queue (two events a file)…
        for i in 0..<limit {
            let fd = open(root + "/fill-\(i).part", O_CREAT | O_WRONLY | O_CLOEXEC, 0o640)
            if fd >= 0 { close(fd) }
        }
        // …so the renames of three exports are never reported.
        for i in 0..<3 {
            try DaemonTests.csv.write(toFile: root + "/.export-\(i).csv", atomically: false, encoding: .utf8)
            try FileManager.default.moveItem(atPath: root + "/.export-\(i).csv", toPath: root + "/export-\(i).csv")
        }
        watcher.pauseReading(false)
        for _ in 0..<100 where watcher.overflows == 0 { try await Task.sleep(for: .milliseconds(30)) }
        #expect(watcher.overflows == 1)
        #expect(watcher.takeRescanNeeded())
        #expect(watcher.takeRenamed().isEmpty)
        // The rescan the overflow asks for finds them.
        let ready = DropScanner(root: root, settle: 0).scan()
        #expect(ready.map(\.relativePath) == ["export-0.csv", "export-1.csv", "export-2.csv"])
    }

    @Test func subdirectoriesMovedWithinTheTreeStayWatchedAndMovedOutAreForgotten() async throws {
        let root = NSTemporaryDirectory() + "cohortd-moves-\(UUID().uuidString)"
        let outside = root + "-outside"
        try FileManager.default.createDirectory(atPath: root + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/c", withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: outside)
        }
        let watcher = try #require(InotifyWatcher(root: root))
        defer { watcher.stop() }
        try FileManager.default.moveItem(atPath: root + "/a", toPath: root + "/b")
        try FileManager.default.moveItem(atPath: root + "/c", toPath: outside)
        try await Task.sleep(for: .milliseconds(200))
        _ = watcher.takeRenamed()
        func dropByRename(_ dir: String, _ name: String) throws {
            try "x\n".write(toFile: dir + "/." + name, atomically: false, encoding: .utf8)
            try FileManager.default.moveItem(atPath: dir + "/." + name, toPath: dir + "/" + name)
        }
        try dropByRename(root + "/b", "x.csv")
        try dropByRename(outside, "y.csv")
        var renamed = Set<String>()
        for _ in 0..<40 where !renamed.contains("b/x.csv") {
            try await Task.sleep(for: .milliseconds(25))
            renamed.formUnion(watcher.takeRenamed())
        }
        #expect(renamed.contains("b/x.csv"))
        #expect(!renamed.contains { $0.hasSuffix("y.csv") })
    }

    @Test func directoriesOnDifferentFilesystemsAreRefused() throws {
        // /dev/shm is a tmpfs: a state directory there cannot receive renames from /tmp.
        guard FileManager.default.fileExists(atPath: "/dev/shm") else { return }
        let root = NSTemporaryDirectory() + "cohortd-xdev-\(UUID().uuidString)"
        let yaml = "drop: \(root)/drop\nstate: /dev/shm/cohortd-\(UUID().uuidString)\nresults: \(root)/results\n"
        let configuration = try DaemonConfiguration(yaml: yaml, file: "c.yaml", directory: root)
        var info1 = stat()
        var info2 = stat()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        stat(root, &info1)
        stat("/dev/shm", &info2)
        guard info1.st_dev != info2.st_dev else { return }
        #expect(throws: DaemonError.self) { try DaemonLayout(configuration).prepare() }
    }
}

/// A switch a test flips to inject a fault.
final class FaultSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var on: Bool {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

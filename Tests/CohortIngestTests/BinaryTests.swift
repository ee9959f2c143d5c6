import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `cohortd` binary (built by `swift test` alongside the tests) as systemd runs it:
/// READY=1 on NOTIFY_SOCKET, a file dropped by rename analysed, SIGTERM → exit 0.
@Suite(.serialized) struct BinaryTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (`.build/<configuration>/cohortd`).
    static var binary: String {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("cohortd").path,
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("cohortd").path,
            repository.appendingPathComponent(".build/debug/cohortd").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    @Test func runsUnderANotifySocketAndStopsOnSIGTERM() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "cohortd binary at \(Self.binary)")
        let installation = try Self.installation()
        let root = installation.path
        let (process, listener) = try Self.startNotifying(root)
        defer { close(listener) }
        defer { Self.end(process) }

        #expect(SystemdNotifierTests.receive(listener).hasPrefix("READY=1"))
        // A file renamed into the drop directory is taken at once (settle is 30 s here).
        try Self.dropByRename(root, "km_1.csv")
        #expect(try await Self.runFolders(root, atLeast: 1).count == 1)
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/state/cohortd.sqlite"))
    }

    /// Starts the daemon with NOTIFY_SOCKET set to a socket the test listens on.
    static func startNotifying(_ root: String) throws -> (process: Process, listener: Int32) {
        let socketPath = root + "/notify.sock"
        let listener = try SystemdNotifierTests.listen(socketPath)
        do {
            return (try start(root, environment: ["NOTIFY_SOCKET": socketPath]), listener)
        } catch {
            close(listener)
            throw error
        }
    }

    /// Stops the daemon as systemd does (SIGTERM) and returns its exit status.
    static func stop(_ process: Process) -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits (up to 3 s) until the daemon has written its status file, i.e. its loop runs.
    static func waitUntilRunning(_ root: String) async throws {
        for _ in 0..<60 where !FileManager.default.fileExists(atPath: root + "/state/daemon-status.json") {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits (up to 20 s) for a file ending in `suffix` in `directory`; returns its path.
    static func waitForFile(_ directory: String, suffix: String) async throws -> String {
        for _ in 0..<400 {
            if let name = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).first(where: { $0.hasSuffix(suffix) }) {
                return directory + "/" + name
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    /// Writes the test export under a hidden name and renames it into the drop directory.
    static func dropByRename(_ root: String, _ name: String) throws {
        try Fixture.csv.write(toFile: root + "/drop/." + name, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: root + "/drop/." + name, toPath: root + "/drop/" + name)
    }

    /// The run folders of the test pipeline, waiting up to 5 s for at least `count`.
    static func runFolders(_ root: String, atLeast count: Int) async throws -> [String] {
        var folders: [String] = []
        for _ in 0..<100 {
            folders = (try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []
            if folders.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return folders
    }

    /// A configured installation in a scratch directory: hold it until the daemons started in it
    /// have ended (``end(_:)``).
    static func installation(settle: Double = 30) throws -> ScratchDirectory {
        let scratch = ScratchDirectory("bin")
        let root = scratch.path
        try FileManager.default.createDirectory(atPath: root + "/etc/pipelines.d", withIntermediateDirectories: true)
        try Fixture.pipeline.write(toFile: root + "/etc/pipelines.d/km.yaml", atomically: true, encoding: .utf8)
        try "drop: ../drop\nstate: ../state\nresults: ../results\nsettle: \(settle)\n".write(
            toFile: root + "/etc/cohortd.yaml", atomically: true, encoding: .utf8)
        return scratch
    }

    /// Ends a daemon the test may have left running, stopped or not (SIGTERM, SIGKILL after 10 s),
    /// and waits for it: nothing writes into the installation once it is removed.
    static func end(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        kill(process.processIdentifier, SIGCONT)
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    static func start(_ root: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", root + "/etc/cohortd.yaml"]
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func files(_ dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    @Test func aBurstOfAThousandFilesIsAnalysedOnceEach() async throws {
        let installation = try Self.installation()
        let root = installation.path
        let count = 1_000
        // Distinct contents (trailing blank lines are skipped), staged on the same filesystem.
        try FileManager.default.createDirectory(atPath: root + "/stage", withIntermediateDirectories: true)
        for i in 0..<count {
            try (Fixture.csv + String(repeating: "\n", count: i + 1)).write(
                toFile: root + "/stage/km_\(i).csv", atomically: false, encoding: .utf8)
        }
        let process = try Self.start(root)
        defer { Self.end(process) }
        try await Self.waitUntilRunning(root)
        // All renamed in at once.
        for i in 0..<count { try FileManager.default.moveItem(atPath: root + "/stage/km_\(i).csv", toPath: root + "/drop/km_\(i).csv") }
        var archived: [String] = []
        for _ in 0..<1_200 {
            archived = Self.files(root + "/state/archive").filter { $0.hasSuffix(".csv") }
            if archived.count == count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Self.stop(process) == 0)
        #expect(archived.count == count)
        #expect(Self.files(root + "/state/failed").isEmpty)
        #expect(Self.files(root + "/drop").filter { $0.hasSuffix(".csv") }.isEmpty)
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []
        #expect(folders.count == count)
        // Every original name archived once.
        let names = Set(archived.map { String(($0.split(separator: "/").last ?? "").split(separator: "--").last ?? "") })
        #expect(names == Set((0..<count).map { "km_\($0).csv" }))
    }

    @Test func killedAtRandomMomentsEveryFileEndsOnceSomewhere() async throws {
        // settle 1: after a restart, files found in the drop directory wait a second.
        let installation = try Self.installation(settle: 1)
        let root = installation.path
        let count = 40
        // Distinct contents, staged outside the drop directory on the same filesystem.
        try FileManager.default.createDirectory(atPath: root + "/stage", withIntermediateDirectories: true)
        for i in 0..<count {
            try (Fixture.csv + String(repeating: "\(i % 7 + 1),0,F\n", count: i + 1))
                .write(toFile: root + "/stage/km_\(i).csv", atomically: false, encoding: .utf8)
        }
        var process = try Self.start(root)
        defer { Self.end(process) }
        for _ in 0..<20 where !FileManager.default.fileExists(atPath: root + "/drop") { try await Task.sleep(for: .milliseconds(50)) }
        for i in 0..<count { try FileManager.default.moveItem(atPath: root + "/stage/km_\(i).csv", toPath: root + "/drop/km_\(i).csv") }
        // Kill -9 three times at varying moments, restarting each time.
        for delay in [30, 80, 150] {
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            process = try Self.start(root)
        }
        var done = 0
        for _ in 0..<200 {
            let archived = Self.files(root + "/state/archive").filter { $0.hasSuffix(".csv") }.count
            let failed = Self.files(root + "/state/failed").filter { $0.hasSuffix(".csv") }.count
            done = archived + failed
            if done == count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(done == count)
        #expect(Self.files(root + "/drop").filter { $0.hasSuffix(".csv") }.isEmpty)
        #expect(Self.files(root + "/state/processing").isEmpty)
        // Exactly one results folder per archived input, and one error file per failed input.
        let archived = Self.files(root + "/state/archive").filter { $0.hasSuffix(".csv") }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []
        let archivedRuns = Set(archived.map { String(($0.split(separator: "/").last ?? "").split(separator: "-").prefix(2).joined(separator: "-")) })
        #expect(folders.count == archived.count)
        #expect(Set(folders) == archivedRuns)
        let failed = Self.files(root + "/state/failed").filter { $0.hasSuffix(".csv") }
        #expect(Self.files(root + "/state/failed").filter { $0.hasSuffix(".error.json") }.count == failed.count)
        // Every original name ends once.
        let names = (archived + failed).map { String(($0.split(separator: "/").last ?? "").split(separator: "--").last ?? "") }
        #expect(Set(names).count == count && names.count == count)
    }

    @Test func theDropDirectoryDeletedAndRecreatedIsWatchedAgain() async throws {
        let installation = try Self.installation()
        let root = installation.path
        let process = try Self.start(root)
        defer { Self.end(process) }
        for _ in 0..<40 where !FileManager.default.fileExists(atPath: root + "/state/cohortd.sqlite") { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(200))
        try FileManager.default.removeItem(atPath: root + "/drop")
        try await Task.sleep(for: .milliseconds(300))
        try? FileManager.default.createDirectory(atPath: root + "/drop", withIntermediateDirectories: true)
        try await Task.sleep(for: .milliseconds(300))
        try Self.dropByRename(root, "km_late.csv")
        #expect(try await Self.runFolders(root, atLeast: 1).count == 1)
        #expect(Self.stop(process) == 0)
    }

    /// Receives notify messages until one satisfies `predicate` (up to `seconds`).
    static func awaitStatus(_ listener: Int32, seconds: Double = 6, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let message = SystemdNotifierTests.receive(listener)
            if predicate(message) { return message }
        }
        return nil
    }

    @Test func aDropDirectoryReplacedByAFileIsDegradedUntilItIsBack() async throws {
        let installation = try Self.installation()
        let root = installation.path
        let (process, listener) = try Self.startNotifying(root)
        defer { close(listener) }
        defer { Self.end(process) }
        #expect(SystemdNotifierTests.receive(listener).hasPrefix("READY=1"))
        // Replace the directory by a regular file while the daemon is stopped (it would re-create
        // a missing directory at once).
        let drop = root + "/drop"
        kill(process.processIdentifier, SIGSTOP)
        // SIGSTOP is delivered asynchronously: wait until the kernel reports it stopped ("T").
        for _ in 0..<200 {
            let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
            if stat.split(separator: ")").last?.split(separator: " ").first == "T" { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try FileManager.default.removeItem(atPath: drop)
        let replaced = FileManager.default.createFile(atPath: drop, contents: Data("not a directory\n".utf8))
        kill(process.processIdentifier, SIGCONT)
        try #require(replaced)
        let degraded = Self.awaitStatus(listener) { $0.contains("STATUS=degraded: the drop directory's path is not a directory") }
        #expect(degraded != nil)
        // `cohortd status` shows it too.
        let status = Process()
        status.executableURL = URL(fileURLWithPath: Self.binary)
        status.arguments = ["status", "--config", root + "/etc/cohortd.yaml"]
        let pipe = Pipe()
        status.standardOutput = pipe
        try status.run()
        status.waitUntilExit()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("watch: degraded: the drop directory's path is not a directory"))
        // The file goes, the daemon re-creates and re-watches the directory, and files flow again.
        try FileManager.default.removeItem(atPath: drop)
        let recovered = Self.awaitStatus(listener) { $0.hasPrefix("STATUS=") && !$0.contains("degraded") }
        #expect(recovered != nil)
        try Self.dropByRename(root, "km_back.csv")
        #expect(try await Self.runFolders(root, atLeast: 1).count == 1)
        #expect(Self.stop(process) == 0)
    }

    @Test func aBrokenPipelineOnSIGHUPKeepsTheOldOne() async throws {
        let installation = try Self.installation()
        let root = installation.path
        let process = try Self.start(root)
        defer { Self.end(process) }
        let statusFile = root + "/state/daemon-status.json"
        try await Self.waitUntilRunning(root)
        try Fixture.pipeline.replacingOccurrences(of: "plugin: logrank", with: "plugin: logrnk")
            .write(toFile: root + "/etc/pipelines.d/km.yaml", atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        var status = ""
        for _ in 0..<60 {
            status = (try? String(contentsOfFile: statusFile, encoding: .utf8)) ?? ""
            if status.contains("refused") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status.contains("refused") && status.contains("km.yaml:7:") && status.contains("did you mean 'logrank'"))
        // The old pipeline still analyses new files.
        try Self.dropByRename(root, "km_after.csv")
        #expect(try await Self.runFolders(root, atLeast: 1).count == 1)
        #expect(Self.stop(process) == 0)
    }

    @Test func aSlowInPlaceWriteIsTakenOnlyWhenComplete() async throws {
        let installation = try Self.installation(settle: 1)
        let root = installation.path
        let process = try Self.start(root)
        defer { Self.end(process) }
        try await Self.waitUntilRunning(root)
        // Written in place in three pieces, 0.5 s apart (less than settle).
        let lines = Fixture.csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let path = root + "/drop/km_slow.csv"
        // open(2)/write(2) directly: FileManager would write a temporary file and rename it.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(fd >= 0)
        func write(_ text: String) { _ = text.withCString { Glibc.write(fd, $0, strlen($0)) } }
        write(lines[0...1].joined(separator: "\n") + "\n")
        try await Task.sleep(for: .milliseconds(500))
        write(lines[2...3].joined(separator: "\n") + "\n")
        try await Task.sleep(for: .milliseconds(500))
        write(lines[4...].joined(separator: "\n"))
        close(fd)
        let folders = try await Self.runFolders(root, atLeast: 1)
        #expect(folders.count == 1)
        let results = try String(contentsOfFile: root + "/results/km-test/" + (folders.first ?? "") + "/results.json", encoding: .utf8)
        #expect(results.contains("\"rows\": 5"))  // all five data rows, not a half-written file
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    @Test func aFileHeldOpenForWritingWaitsPastItsSettleTime() async throws {
        let installation = try Self.installation(settle: 0.5)
        let root = installation.path
        let process = try Self.start(root)
        defer { Self.end(process) }
        try await Self.waitUntilRunning(root)
        // Complete content, but the writer keeps the file open (the daemon's user owns it, so
        // Linux can tell): size and time settle, yet it is not taken.
        let path = root + "/drop/km_open.csv"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(fd >= 0)
        _ = Fixture.csv.withCString { Glibc.write(fd, $0, strlen($0)) }
        try await Task.sleep(for: .milliseconds(2_000))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []).isEmpty)
        #expect(FileManager.default.fileExists(atPath: path))
        close(fd)
        #expect(try await Self.runFolders(root, atLeast: 1).count == 1)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    @Test func aHardLinkIsRefusedAndItsOtherNameLeftAlone() async throws {
        let installation = try Self.installation()
        let root = installation.path
        let process = try Self.start(root)
        defer { Self.end(process) }
        try await Self.waitUntilRunning(root)
        let original = root + "/original.csv"
        try Fixture.csv.write(toFile: original, atomically: false, encoding: .utf8)
        #expect(link(original, root + "/drop/km_linked.csv") == 0)
        let errorFile = try await Self.waitForFile(root + "/state/failed", suffix: ".error.json")
        #expect(try String(contentsOfFile: errorFile, encoding: .utf8).contains("\"kind\": \"hard_link\""))
        #expect(try String(contentsOfFile: original, encoding: .utf8) == Fixture.csv)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []).isEmpty)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}

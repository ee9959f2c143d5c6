import CohortStore
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What a hostile test broke in the shipped daemon, on the real binary where the kernel is the
/// point: a vanished state directory, a second daemon, READY=1 after a crash, byte names, a full
/// disk.
@Suite(.serialized) struct BinaryHardeningTests {
    typealias B = BinaryTests

    /// Waits up to `seconds` for the process to exit.
    func waitForExit(_ process: Process, seconds: Double) async throws -> Bool {
        for _ in 0..<Int(seconds * 20) where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    @Test func aVanishedStateDirectoryStopsTheDaemonWithAnError() async throws {
        let installation = try B.installation()
        let root = installation.path
        let process = try B.start(root)
        defer { B.end(process) }
        try await B.waitUntilRunning(root)
        try FileManager.default.removeItem(atPath: root + "/state")
        #expect(try await waitForExit(process, seconds: 10))
        #expect(process.terminationStatus != 0)
    }

    @Test func aSecondDaemonOnTheSameDropDirectoryRefusesToStart() async throws {
        let installation = try B.installation()
        let root = installation.path
        let first = try B.start(root)
        defer { B.end(first) }
        try await B.waitUntilRunning(root)
        // Another configuration: its own state and results, the same drop directory.
        try "drop: ../drop\nstate: ../state2\nresults: ../results2\n".write(toFile: root + "/etc/second.yaml", atomically: true, encoding: .utf8)
        let second = Process()
        second.executableURL = URL(fileURLWithPath: B.binary)
        second.arguments = ["run", "--config", root + "/etc/second.yaml"]
        second.standardError = FileHandle.nullDevice
        try second.run()
        defer { B.end(second) }
        #expect(try await waitForExit(second, seconds: 10))
        #expect(second.terminationStatus != 0)
        #expect(first.isRunning)
        #expect(B.stop(first) == 0)
    }

    @Test func readyComesBeforeTheReanalysisOfAFileLeftInWorkByACrash() async throws {
        let installation = try B.installation()
        let root = installation.path
        // A first start creates the store; then the tree a kill -9 left: a large claimed file in
        // processing, journaled.
        let process = try B.start(root)
        defer { B.end(process) }
        try await B.waitUntilRunning(root)
        #expect(B.stop(process) == 0)
        let runID = "20261201T000000000Z-0000abcd"
        var rows = "time,dead,sex\n"
        for i in 0..<200_000 { rows += "\(i % 60 + 1),\(i % 2),\(i % 3 == 0 ? "M" : "F")\n" }
        try rows.write(toFile: root + "/state/processing/\(runID)--km_big.csv", atomically: false, encoding: .utf8)
        let store = try Store(path: root + "/state/cohortd.sqlite")
        try store.recordClaim(runID: runID, name: "km_big.csv")
        let started = Date()
        let (restarted, listener) = try B.startNotifying(root)
        defer { close(listener) }
        defer { B.end(restarted) }
        #expect(SystemdNotifierTests.receive(listener).hasPrefix("READY=1"))
        let readyAfter = Date().timeIntervalSince(started)
        // READY=1 came before the file was analysed again (it is ordinary queued work)…
        let folder = root + "/results/km-test/" + runID
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(readyAfter < 5, "READY=1 after \(readyAfter) s")
        // …and the file is then finished once.
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: folder) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(FileManager.default.fileExists(atPath: folder))
        #expect(B.stop(restarted) == 0)
        #expect(try store.input(runID: runID)?.state == .archived)
    }

    @Test func longAndNonUTF8NamesAreTakenOnce() async throws {
        let installation = try B.installation()
        let root = installation.path
        let process = try B.start(root)
        defer { B.end(process) }
        try await B.waitUntilRunning(root)
        let long = "km_" + String(repeating: "x", count: 245) + ".csv"
        try B.dropByRename(root, long)
        // A name that is not UTF-8: written with open(2) under a hidden name, renamed in.
        let hidden = root + "/drop/.tmp-bytes"
        try (Fixture.csv + "15,0,F\n").write(toFile: hidden, atomically: false, encoding: .utf8)  // other content
        let target: [CChar] = Array((root + "/drop/km_").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), 0x2E, 0x63, 0x73, 0x76, 0]
        #expect(rename(hidden, target) == 0)
        var archived: [String] = []
        for _ in 0..<200 {
            archived = B.files(root + "/state/archive").filter { $0.contains("--km_") }
            if archived.count == 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(archived.count == 2)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/drop")) ?? []).isEmpty)
        #expect(B.stop(process) == 0)
        let store = try Store(path: root + "/state/cohortd.sqlite")
        let inputs = try store.recentInputs(limit: 10)
        #expect(inputs.count == 2 && inputs.allSatisfy { $0.state == .archived }, "\(inputs.map { "\($0.name) \($0.state) \($0.error ?? "")" })")
        #expect(inputs.contains { $0.name == "km_\\xff.csv" })
        #expect(archived.allSatisfy { ($0.split(separator: "/").last?.utf8.count ?? 0) <= 255 })
    }

    @Test func aFullDiskIsRetriedWithBackoffAndPublishedOnceSpaceReturns() async throws {
        let installation = try B.installation()
        let root = installation.path
        let mountPoint = root + "/var"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return }  // needs root: the kernel is the point here
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", mountPoint]
            try? umount.run()
            umount.waitUntilExit()
        }
        try "drop: ../var/drop\nstate: ../var/state\nresults: ../var/results\nsettle: 30\n".write(
            toFile: root + "/etc/cohortd.yaml", atomically: true, encoding: .utf8)
        let (process, listener) = try B.startNotifying(root)
        defer { close(listener) }
        defer { B.end(process) }
        #expect(SystemdNotifierTests.receive(listener).hasPrefix("READY=1"))
        // Fill the filesystem, leaving too little for a run folder.
        let filler = mountPoint + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0x41, count: 4096)
        while block.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        // Room for the input only (a page), not for a run folder of several files.
        #expect(truncate(filler, max(0, fileSize(filler) - 8192)) == 0)
        try Fixture.csv.write(toFile: mountPoint + "/drop/.km_1.csv", atomically: false, encoding: .utf8)
        #expect(rename(mountPoint + "/drop/.km_1.csv", mountPoint + "/drop/km_1.csv") == 0)
        var statuses: [String] = []
        var degraded = false
        for _ in 0..<100 where !degraded {
            let message = SystemdNotifierTests.receive(listener, timeout: 0.1)
            if !message.isEmpty { statuses.append(message) }
            degraded = statuses.contains { $0.contains("degraded: no space") }
        }
        #expect(degraded, "\(statuses)")
        // Space returns: the file is published, not failed, and no 0-byte record is left.
        try FileManager.default.removeItem(atPath: filler)
        var folders: [String] = []
        for _ in 0..<400 {
            folders = (try? FileManager.default.contentsOfDirectory(atPath: mountPoint + "/results/km-test")) ?? []
            if !folders.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(folders.count == 1)
        let failed = (try? FileManager.default.contentsOfDirectory(atPath: mountPoint + "/state/failed")) ?? []
        #expect(failed.isEmpty)
        #expect(B.stop(process) == 0)
    }

    func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}

extension BinaryHardeningTests {
    @Test func aLongAnalysisNeitherStarvesTheWatchdogNorASmallFile() async throws {
        let installation = try B.installation()
        let root = installation.path
        let socketPath = root + "/notify.sock"
        let listener = try SystemdNotifierTests.listen(socketPath)
        defer { close(listener) }
        let process = try B.start(root, environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000"])
        defer { B.end(process) }
        #expect(SystemdNotifierTests.receive(listener).hasPrefix("READY=1"))
        var rows = "time,dead,sex\n"
        for i in 0..<400_000 { rows += "\(i % 60 + 1),\(i % 2),\(i % 3 == 0 ? "M" : "F")\n" }
        try rows.write(toFile: root + "/drop/.km_big.csv", atomically: false, encoding: .utf8)
        #expect(rename(root + "/drop/.km_big.csv", root + "/drop/km_big.csv") == 0)
        try await Task.sleep(for: .milliseconds(100))
        try B.dropByRename(root, "km_small.csv")
        var pings: [Date] = []
        let deadline = Date().addingTimeInterval(30)
        var folders: [String] = []
        var order: [String] = []
        while Date() < deadline && order.count < 2 {
            let message = SystemdNotifierTests.receive(listener, timeout: 0.05)
            if message.hasPrefix("WATCHDOG=1") { pings.append(Date()) }
            folders = (try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []
            for folder in folders where !order.contains(folder) { order.append(folder) }
        }
        #expect(order.count == 2)
        // The small file (dropped second) finished first, while the large one was analysed.
        let archived = B.files(root + "/state/archive")
        let small = archived.first { $0.hasSuffix("km_small.csv") }.flatMap {
            $0.split(separator: "/").last?.split(separator: "-").prefix(2).joined(separator: "-")
        }
        #expect(order.first == small)
        let gaps = zip(pings, pings.dropFirst()).map { $1.timeIntervalSince($0) }
        #expect(pings.count >= 3)
        #expect((gaps.max() ?? 0) < 1.0, "watchdog gaps: \(gaps)")
        #expect(B.stop(process) == 0)
    }
}

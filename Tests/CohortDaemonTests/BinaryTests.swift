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
        let candidates = [bundleDirectory.appendingPathComponent("cohortd").path,
                          bundleDirectory.deletingLastPathComponent().appendingPathComponent("cohortd").path,
                          repository.appendingPathComponent(".build/debug/cohortd").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    @Test func runsUnderANotifySocketAndStopsOnSIGTERM() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "cohortd binary at \(Self.binary)")
        let root = NSTemporaryDirectory() + "cohortd-bin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/etc/pipelines.d", withIntermediateDirectories: true)
        try DaemonTests.pipeline.write(toFile: root + "/etc/pipelines.d/km.yaml", atomically: true, encoding: .utf8)
        try "drop: ../drop\nstate: ../state\nresults: ../results\nsettle: 30\n".write(toFile: root + "/etc/cohortd.yaml", atomically: true, encoding: .utf8)
        let socketPath = root + "/notify.sock"
        let listener = try SystemdNotifierTests.listen(socketPath)
        defer { close(listener) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", root + "/etc/cohortd.yaml"]
        process.environment = ["NOTIFY_SOCKET": socketPath, "PATH": "/usr/bin:/bin"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        #expect(SystemdNotifierTests.receive(listener).hasPrefix("READY=1"))
        // A file renamed into the drop directory is taken at once (settle is 30 s here).
        try DaemonTests.csv.write(toFile: root + "/drop/.km_1.csv", atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(atPath: root + "/drop/.km_1.csv", toPath: root + "/drop/km_1.csv")
        var published: [String] = []
        for _ in 0..<100 {
            published = (try? FileManager.default.contentsOfDirectory(atPath: root + "/results/km-test")) ?? []
            if !published.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(published.count == 1)
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/state/cohortd.sqlite"))
    }
}

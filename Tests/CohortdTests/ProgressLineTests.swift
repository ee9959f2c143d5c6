import CohortPipeline
import Foundation
import Testing

@testable import cohortd

#if canImport(Glibc)
    import Glibc
#endif

/// The progress line of `cohortd analyze`: on a pseudo-terminal it shows the read, each analysis
/// and the total; with a pipe for standard error, or with `--quiet`, nothing; never the file's
/// name or a cell value.
@Suite(.serialized) struct ProgressLineTests {
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

    static let pipeline = """
        name: km-test
        match: ["*.csv"]
        columns: {time: number, dead: {type: boolean, true: ["1"], false: ["0"]}, sex: category}
        survival: {time: time, event: dead, unit: months}
        analyses:
          - {id: overall, plugin: kaplan_meier, times: [6]}
          - {id: bysex, plugin: logrank, groups: [sex]}
        """
    /// A cell value the output must never show.
    static let secretLevel = "Zebulon"
    static let csv = "time,dead,sex\n5,1,M\n8,0,F\n12,1,\(secretLevel)\n3,1,M\n9,0,M\n17,1,F\n"
    static let fileName = "secret_cohort_name.csv"

    /// A pseudo-terminal (master, slave), both close-on-exec so no other child inherits them.
    static func openTerminal() throws -> (master: Int32, slave: Int32) {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw POSIXError(.ENODEV) }
        _ = fcntl(master, F_SETFD, FD_CLOEXEC)
        _ = fcntl(slave, F_SETFD, FD_CLOEXEC)
        return (master, slave)
    }

    /// Everything readable on `descriptor` until its other end is closed (EIO or 0 on a
    /// pseudo-terminal master), or 30 s pass.
    static func drain(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A fresh directory for one `cohortd analyze`; the test removes it once the process has ended.
    static func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "cohortd-progress-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `cohortd analyze` on the fixture, in `directory`, with standard error on `errorDescriptor`.
    static func analyze(in directory: String, errorDescriptor: Int32, extra: [String] = []) throws -> Process {
        try pipeline.write(toFile: directory + "/km.yaml", atomically: true, encoding: .utf8)
        try csv.write(toFile: directory + "/" + fileName, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["analyze", directory + "/" + fileName, "--pipeline", directory + "/km.yaml", "--output", directory + "/out"] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(fileDescriptor: errorDescriptor, closeOnDealloc: false)
        try process.run()
        return process
    }

    @Test func aTerminalShowsTheReadEachAnalysisAndTheTotal() throws {
        let (master, slave) = try Self.openTerminal()
        defer { close(master) }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.analyze(in: directory, errorDescriptor: slave)
        close(slave)
        let text = Self.drain(master)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.contains("read \(Self.csv.utf8.count) B in "), "\(text)")
        #expect(text.contains(", 6 rows"), "\(text)")
        #expect(text.contains("] overall (kaplan_meier) "), "\(text)")
        #expect(text.contains("] bysex (logrank) "), "\(text)")
        #expect(text.contains("[2/2]"), "\(text)")
        #expect(text.contains("done: 2 analyses in "), "\(text)")
        #expect(!text.contains(Self.fileName) && !text.contains("secret"), "\(text)")
        #expect(!text.contains(Self.secretLevel), "\(text)")
    }

    @Test func aPipeGetsNothing() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        defer { close(ends[0]) }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.analyze(in: directory, errorDescriptor: ends[1])
        close(ends[1])
        let text = Self.drain(ends[0])
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.isEmpty, "\(text)")
    }

    @Test func quietOnATerminalGetsNothing() throws {
        let (master, slave) = try Self.openTerminal()
        defer { close(master) }
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.analyze(in: directory, errorDescriptor: slave, extra: ["--quiet"])
        close(slave)
        let text = Self.drain(master)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.isEmpty, "\(text)")
    }

    /// The transient line is redrawn at most every ``ProgressLine/minimumInterval``: a thousand
    /// reads in a burst draw it once.
    @Test func readingIsThrottled() throws {
        let (master, slave) = try Self.openTerminal()
        defer { close(master) }
        let line = ProgressLine(descriptor: slave, expectedBytes: 2_000_000)
        for _ in 0..<1000 { line.read(1000) }
        line.prepared(bytes: 1_000_000, seconds: 0.5, rows: 1234, cohort: 1000)
        close(slave)
        let text = Self.drain(master)
        #expect((1..<10).contains(text.components(separatedBy: "reading: ").count - 1), "\(text)")
        #expect(text.contains("reading: 1.0 kB of 2.0 MB (0 %)"), "\(text)")
        #expect(text.contains("read 1.0 MB in 0.50 s (2.0 MB/s), 1,234 rows, 1,000 in the cohort"), "\(text)")
    }

    @Test func countsHaveThousandsSeparators() {
        #expect(ProgressFormat.count(0) == "0")
        #expect(ProgressFormat.count(999) == "999")
        #expect(ProgressFormat.count(1000) == "1,000")
        #expect(ProgressFormat.count(10_000_000) == "10,000,000")
        #expect(ProgressFormat.bytes(945_312_345) == "945.3 MB")
    }
}

import CohortJSON
import CohortPipeline
import CohortPluginAPI
import CohortReport
import Foundation
import Testing

/// `plugin: exec`: JSON in, JSON out; every failure becomes that analysis's error while the
/// others still complete.
@Suite struct ExecPluginTests {
    static let csv = "time,dead,sex\n5,1,M\n8,0,F\n12,1,F\n"

    /// Writes an executable script into a fresh directory and returns the directory.
    static func scripts(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "cohortd-exec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, body) in files {
            let path = dir + "/" + name
            try body.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return dir
    }

    static func pipeline(_ command: String, timeout: Double = 10, extra: String = "") -> String {
        """
        name: exec-test
        match: ["*.csv"]
        columns: {time: number, dead: {type: boolean, true: ["1"], false: ["0"]}, sex: category}
        survival: {time: time, event: dead}
        analyses:
          - {id: km, plugin: kaplan_meier}
          - id: ext
            plugin: exec
            command: ["\(command)"]
            variables: [time, dead, sex]
            timeout: \(timeout)
            parameters: {horizon: 10, label: "x"}
        \(extra)
        """
    }

    static func error(of outcome: RunOutcome) -> String? {
        outcome.analysisErrors.first { $0.id == "ext" }?.error.message
    }

    @Test func theExamplePluginCountsEvents() async throws {
        let example = Repository.root.appendingPathComponent("plugins/examples/event-counts").path
        let outcome = try await runPipeline(Self.pipeline(example), csv: Self.csv)
        #expect(outcome.status == .ok)
        let result = try #require(outcome.document.analysis("ext")?["result"])
        #expect(result["total_events"]?.number == 2)
        #expect(result["by"]?.string == "sex")
        let groups = result["groups"]?.array ?? []
        #expect(groups.map { $0["level"]?.string } == ["M", "F"])
        #expect(groups.map { $0["events"]?.number } == [1, 1])
    }

    @Test func theRequestCarriesParametersAndTypedColumns() async throws {
        // The script echoes its request back as the result; relative paths resolve against the pipeline.
        let dir = try Self.scripts(["echo.sh": "#!/bin/sh\ncat\n"])
        let outcome = try await runPipeline(Self.pipeline("echo.sh"), csv: Self.csv, directory: dir)
        let request = try #require(outcome.document.analysis("ext")?["result"])
        #expect(request["analysis"]?.string == "ext")
        #expect(request["parameters"]?["horizon"]?.number == 10)
        #expect(request["columns"]?["dead"]?["values"] == .array([.bool(true), .bool(false), .bool(true)]))
        #expect(request["columns"]?["sex"]?["type"]?.string == "category")
        #expect(request["columns"]?["time"]?["values"] == .array([.number(5), .number(8), .number(12)]))
    }

    @Test func failuresBecomeTheAnalysisError() async throws {
        let dir = try Self.scripts([
            "fail.sh": "#!/bin/sh\necho 'something broke' >&2\nexit 3\n",
            "bad.sh": "#!/bin/sh\ncat >/dev/null\necho 'not json'\n",
            "slow.sh": "#!/bin/sh\nsleep 20\n",
            "big.sh": "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\\\0' 'a'\n",
        ])
        let failing = try await runPipeline(Self.pipeline("fail.sh"), csv: Self.csv, directory: dir)
        #expect(failing.status == .partial)
        #expect(Self.error(of: failing)?.contains("exited with status 3: something broke") == true)
        #expect(failing.document.analysis("km")?["status"]?.string == "ok")

        let bad = try await runPipeline(Self.pipeline("bad.sh"), csv: Self.csv, directory: dir)
        #expect(Self.error(of: bad)?.contains("did not write JSON") == true)

        let clock = ContinuousClock()
        let start = clock.now
        let slow = try await runPipeline(Self.pipeline("slow.sh", timeout: 0.5), csv: Self.csv, directory: dir)
        #expect(Self.error(of: slow) == "timed out after 0.5 s", "\(Self.error(of: slow) ?? "no error")")
        #expect(clock.now - start < .seconds(10))

        let big = try await runPipeline(Self.pipeline("big.sh", extra: "    max_output: 1000000"), csv: Self.csv, directory: dir)
        #expect(Self.error(of: big)?.contains("more than 1000000 bytes") == true, "\(Self.error(of: big) ?? "no error")")

        let missing = try await runPipeline(Self.pipeline("/nonexistent/program"), csv: Self.csv, directory: dir)
        #expect(Self.error(of: missing)?.contains("could not start") == true)
    }
}

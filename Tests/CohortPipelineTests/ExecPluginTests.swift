import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortPluginAPI
import CohortReport
import Foundation
import Testing

@testable import ExecPlugin

/// `plugin: exec`: JSON in, JSON out; every failure becomes that analysis's error while the
/// others still complete.
@Suite struct ExecPluginTests {
    static let csv = "time,dead,sex\n5,1,M\n8,0,F\n12,1,F\n"

    /// Writes an executable script into a fresh directory and returns the directory (the test
    /// removes it).
    static func scripts(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "cohortd-exec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            for (name, body) in files {
                let path = dir + "/" + name
                try body.write(toFile: path, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
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
        defer { try? FileManager.default.removeItem(atPath: dir) }
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
        defer { try? FileManager.default.removeItem(atPath: dir) }
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

        // A program removed after validation fails at run time, as this analysis's error.
        let gone = try Self.scripts(["gone.sh": "#!/bin/sh\necho '{}'\n"])
        defer { try? FileManager.default.removeItem(atPath: gone) }
        let loaded = try LoadedPipeline(text: Self.pipeline("gone.sh"), file: "test.yaml", directory: gone, registry: testRegistry)
        try FileManager.default.removeItem(atPath: gone + "/gone.sh")
        let missing = await PipelineRunner(loaded).run(Data(Self.csv.utf8), info: RunInfo(id: "test", fileName: "test.csv"))
        #expect(Self.error(of: missing)?.contains("could not start gone.sh: executing it failed: No such file or directory") == true)
    }

    // MARK: validation

    static func configurationError(_ yaml: String, directory: String) -> ConfigurationError? {
        CohortPipelineTests.configurationError { _ = try LoadedPipeline(text: yaml, file: "p.yaml", directory: directory, registry: testRegistry) }
    }

    @Test func aMissingOrUnrunnableProgramIsAConfigurationError() throws {
        let dir = try Self.scripts(["ok.sh": "#!/bin/sh\necho '{}'\n", "plain.txt": "not a program\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/plain.txt")
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: false)
        #expect(Self.configurationError(Self.pipeline("ok.sh"), directory: dir) == nil)

        let missing = try #require(Self.configurationError(Self.pipeline("nope.sh"), directory: dir))
        #expect(missing.code == .invalidValue)
        #expect(missing.path == "analyses[1].command[0]")
        #expect(missing.line == 9 && missing.column == 15)
        #expect(missing.message == "the program 'nope.sh' (\(dir)/nope.sh) does not exist")

        let absolute = try #require(Self.configurationError(Self.pipeline("/nonexistent/program"), directory: dir))
        #expect(absolute.message == "the program '/nonexistent/program' does not exist")

        let plain = try #require(Self.configurationError(Self.pipeline("plain.txt"), directory: dir))
        #expect(plain.message.hasSuffix("is not executable"), "\(plain.message)")

        let folder = try #require(Self.configurationError(Self.pipeline("folder"), directory: dir))
        #expect(folder.message.hasSuffix("is not a regular file"), "\(folder.message)")

        // The same program is found from another pipeline directory only if it is there.
        #expect(Self.configurationError(Self.pipeline("ok.sh"), directory: NSTemporaryDirectory()) != nil)
    }

    @Test func maxOutputAndTimeoutAreChecked() throws {
        let dir = try Self.scripts(["ok.sh": "#!/bin/sh\necho '{}'\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for bad in ["-1", "0"] {
            let e = try #require(Self.configurationError(Self.pipeline("ok.sh", extra: "    max_output: \(bad)"), directory: dir))
            #expect(e.code == .invalidValue)
            #expect(e.path == "analyses[1].max_output")
            #expect(e.message == "max_output must be a positive number of bytes")
        }
        #expect(Self.configurationError(Self.pipeline("ok.sh", extra: "    max_output: 1"), directory: dir) == nil)
        let long = try #require(Self.configurationError(Self.pipeline("ok.sh", timeout: 86_401), directory: dir))
        #expect(long.path == "analyses[1].timeout")
        #expect(long.message.contains("at most 86400"))
        #expect(Self.configurationError(Self.pipeline("ok.sh", timeout: 86_400), directory: dir) == nil)
    }
}

/// Containment of exec programs on the real kernel: no descendant outlives a run (whatever
/// `setsid` or double forks it did), nothing leaks, timeouts and the output limit still stop it,
/// and Landlock keeps it from writing outside its private directory.
@Suite(.serialized) struct ExecContainmentTests {
    /// A descendant that says it has started (a file in TMPDIR) and then waits five minutes; its
    /// command line carries the test's marker so that /proc can be searched for it.
    static let lurker = #"import os, sys, time; open(os.path.join(os.environ["TMPDIR"], sys.argv[1]), "w").close(); time.sleep(300)"#

    /// A program that starts one `setsid` descendant and one double-forked one, waits until both
    /// run, then ends as `$2` says: `exit` (JSON on stdout), `hang` (sleeps) or `flood` (3 MB out).
    static let escaper = """
        #!/bin/sh
        cat >/dev/null
        setsid python3 -c '\(lurker)' a "$1" &
        ( python3 -c '\(lurker)' b "$1" & )
        while [ ! -e "$TMPDIR/a" ] || [ ! -e "$TMPDIR/b" ]; do sleep 0.01; done
        case "$2" in
          hang) sleep 300 ;;
          flood) head -c 3000000 /dev/zero ;;
          *) echo '{"ok": true}' ;;
        esac

        """

    static func run(_ mode: String, marker: String, timeout: Double = 20, maxOutput: Int = 1 << 20) throws -> ProcessRunner.Run {
        let dir = try ExecPluginTests.scripts(["escape.sh": escaper])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return ProcessRunner.run(
            executable: dir + "/escape.sh", arguments: [marker, mode], input: Array("{}".utf8), timeout: timeout, maxOutput: maxOutput,
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"])
    }

    /// Pids of live processes whose command line holds `marker`.
    static func processes(holding marker: String) -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int($0) }.filter { pid in
            guard let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: line, as: UTF8.self).contains(marker)
        }
    }

    static func openPipeInodes() -> Set<UInt64> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(
            fds.compactMap { fd in
                guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
                    link.hasPrefix("pipe:[")
                else { return nil }
                return UInt64(link.dropFirst(6).dropLast())
            })
    }

    static var descriptorCount: Int { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count }
    static var threadCount: Int { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).count }

    @Test func descendantsThatCalledSetsidOrDoubleForkedDieWithTheProgram() throws {
        let marker = "cohortd-marker-\(UUID().uuidString)"
        let run = try Self.run("exit", marker: marker)
        guard case .exited(let status, let stdout, _) = run.outcome else {
            Issue.record("unexpected outcome \(run.outcome)")
            return
        }
        #expect(status == 0)
        #expect(String(decoding: stdout, as: UTF8.self) == "{\"ok\": true}\n")
        // Both lurkers were running when the program ended, and none is running now.
        #expect(run.descendantsKilled >= 2, "killed \(run.descendantsKilled)")
        #expect(Self.processes(holding: marker).isEmpty, "left running: \(Self.processes(holding: marker))")
        #expect(Self.openPipeInodes().isDisjoint(with: run.pipeInodes))
    }

    @Test func theTimeoutKillsTheProgramAndItsDescendants() throws {
        let marker = "cohortd-marker-\(UUID().uuidString)"
        let run = try Self.run("hang", marker: marker, timeout: 1)
        guard case .timedOut = run.outcome else {
            Issue.record("unexpected outcome \(run.outcome)")
            return
        }
        #expect(run.descendantsKilled >= 2, "killed \(run.descendantsKilled)")
        #expect(Self.processes(holding: marker).isEmpty)
    }

    @Test func oversizedOutputStopsTheProgramAndItsDescendants() throws {
        let marker = "cohortd-marker-\(UUID().uuidString)"
        let run = try Self.run("flood", marker: marker, maxOutput: 100_000)
        guard case .outputTooLarge = run.outcome else {
            Issue.record("unexpected outcome \(run.outcome)")
            return
        }
        #expect(Self.processes(holding: marker).isEmpty)
        #expect(Self.openPipeInodes().isDisjoint(with: run.pipeInodes))
    }

    @Test func twentyRunsLeakNoDescriptorNorThread() throws {
        let marker = "cohortd-marker-\(UUID().uuidString)"
        _ = try Self.run("exit", marker: marker)  // first use: probes, the temporary directory
        let descriptors = Self.descriptorCount
        let threads = Self.threadCount
        var inodes: Set<UInt64> = []
        for _ in 0..<20 {
            let run = try Self.run("exit", marker: marker)
            #expect(run.descendantsKilled >= 2)
            inodes.formUnion(run.pipeInodes)
        }
        #expect(inodes.count == 80, "four pipes a run")
        #expect(Self.openPipeInodes().isDisjoint(with: inodes))
        #expect(Self.processes(holding: marker).isEmpty)
        // Other suites run in parallel in this process (writing run folders, loading fonts): some
        // slack, below a leak of one a run (20). 10 was once exceeded by 12 with no leak.
        #expect(Self.descriptorCount - descriptors < 16, "descriptors \(descriptors) → \(Self.descriptorCount)")
        #expect(Self.threadCount - threads < 10, "threads \(threads) → \(Self.threadCount)")
    }

    @Test func concurrentRunsAreEachContained() async throws {
        let marker = "cohortd-marker-\(UUID().uuidString)"
        let killed = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { (try? Self.run("exit", marker: marker))?.descendantsKilled ?? -1 } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(killed.count == 4 && killed.allSatisfy { $0 >= 2 }, "\(killed)")
        #expect(Self.processes(holding: marker).isEmpty)
    }

    @Test func largeInputIsWrittenWholeAndAnUnreadInputDoesNotHang() throws {
        let dir = try ExecPluginTests.scripts([
            "count.sh": "#!/bin/sh\nprintf '{\"bytes\": %s}' \"$(wc -c | tr -d ' ')\"\n",
            "ignore.sh": "#!/bin/sh\necho '{}'\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 3_000_000)
        let counted = ProcessRunner.run(executable: dir + "/count.sh", arguments: [], input: input, timeout: 20, maxOutput: 1000, environment: [:])
        guard case .exited(0, let stdout, _) = counted.outcome else {
            Issue.record("unexpected outcome \(counted.outcome)")
            return
        }
        #expect(try JSONParser.parse(stdout)["bytes"]?.number == 3_000_000)
        let ignored = ProcessRunner.run(executable: dir + "/ignore.sh", arguments: [], input: input, timeout: 20, maxOutput: 1000, environment: [:])
        guard case .exited(0, _, _) = ignored.outcome else {
            Issue.record("unexpected outcome \(ignored.outcome)")
            return
        }
    }

    @Test func aSignalAndAnExitStatusAreTheProgramsNotTheShepherds() throws {
        let dir = try ExecPluginTests.scripts(["die.sh": "#!/bin/sh\nkill -TERM $$\n", "three.sh": "#!/bin/sh\necho oops >&2\nexit 3\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let died = ProcessRunner.run(executable: dir + "/die.sh", arguments: [], input: [], timeout: 10, maxOutput: 1000, environment: [:])
        guard case .signaled(let signal) = died.outcome else {
            Issue.record("unexpected outcome \(died.outcome)")
            return
        }
        #expect(signal == SIGTERM)
        let three = ProcessRunner.run(executable: dir + "/three.sh", arguments: [], input: [], timeout: 10, maxOutput: 1000, environment: [:])
        guard case .exited(let status, _, let stderr) = three.outcome else {
            Issue.record("unexpected outcome \(three.outcome)")
            return
        }
        #expect(status == 3)
        #expect(String(decoding: stderr, as: UTF8.self) == "oops\n")
    }

    @Test func theProgramRunsInAPrivateDirectoryRemovedAfterwards() throws {
        let dir = try ExecPluginTests.scripts([
            "where.sh": "#!/bin/sh\ncat >/dev/null\ntouch left-behind\nprintf '{\"cwd\": \"%s\", \"tmp\": \"%s\"}' \"$(pwd)\" \"$TMPDIR\"\n"
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = ProcessRunner.run(
            executable: dir + "/where.sh", arguments: [], input: Array("{}".utf8), timeout: 10, maxOutput: 10_000, environment: [:])
        guard case .exited(0, let stdout, _) = run.outcome else {
            Issue.record("unexpected outcome \(run.outcome)")
            return
        }
        let result = try JSONParser.parse(stdout)
        let tmp = try #require(result["tmp"]?.string)
        #expect(result["cwd"]?.string == tmp)
        #expect(tmp.contains("cohortd-exec-"))
        #expect(!FileManager.default.fileExists(atPath: tmp))
    }

    @Test(.enabled(if: ExecContainment.capabilities.landlockABI > 0, "this kernel has no Landlock: writes are not confined"))
    func landlockRefusesWritesOutsideThePrivateDirectory() throws {
        // A directory standing for the daemon's state, results or store.
        let state = NSTemporaryDirectory() + "cohortd-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: state) }
        try "state".write(toFile: state + "/readable", atomically: true, encoding: .utf8)
        let dir = try ExecPluginTests.scripts([
            "probe.py": """
            #!/usr/bin/env python3
            import json, os, sys
            sys.stdin.read()
            state = sys.argv[1]
            out = {"read": open(os.path.join(state, "readable")).read()}
            def attempt(name, action):
                try:
                    action()
                    out[name] = 0
                except OSError as e:
                    out[name] = e.errno
            attempt("create", lambda: open(os.path.join(state, "new"), "w").close())
            attempt("append", lambda: open(os.path.join(state, "readable"), "a").close())
            attempt("mkdir", lambda: os.mkdir(os.path.join(state, "sub")))
            attempt("unlink", lambda: os.unlink(os.path.join(state, "readable")))
            attempt("tmp", lambda: open(os.path.join(os.environ["TMPDIR"], "scratch"), "w").write("x"))
            attempt("devnull", lambda: open("/dev/null", "w").write("x"))
            print(json.dumps(out))

            """
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = ProcessRunner.run(
            executable: dir + "/probe.py", arguments: [state], input: Array("{}".utf8), timeout: 10, maxOutput: 10_000,
            environment: ["PATH": "/usr/bin:/bin"])
        guard case .exited(0, let stdout, _) = run.outcome else {
            Issue.record("unexpected outcome \(run.outcome)")
            return
        }
        #expect(run.landlockABI == ExecContainment.capabilities.landlockABI)
        let result = try JSONParser.parse(stdout)
        #expect(result["read"]?.string == "state")
        for refused in ["create", "append", "mkdir", "unlink"] {
            #expect(result[refused]?.number == Double(EACCES), "\(refused): \(String(describing: result[refused]))")
        }
        #expect(result["tmp"]?.number == 0)
        #expect(result["devnull"]?.number == 0)
        #expect(!FileManager.default.fileExists(atPath: state + "/new"))
        #expect(FileManager.default.fileExists(atPath: state + "/readable"))
    }

    @Test(.enabled(if: ExecContainment.capabilities.landlockABI >= 6, "Landlock before ABI 6 does not scope signals"))
    func theProgramCannotSignalCohortd() throws {
        let dir = try ExecPluginTests.scripts([
            "signal.py": """
            #!/usr/bin/env python3
            import json, os, sys
            sys.stdin.read()
            out = {}
            for name, pid in (("daemon", int(sys.argv[1])), ("shepherd", os.getppid())):
                try:
                    os.kill(pid, 0)
                    out[name] = 0
                except OSError as e:
                    out[name] = e.errno
            print(json.dumps(out))

            """
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = ProcessRunner.run(
            executable: dir + "/signal.py", arguments: [String(getpid())], input: Array("{}".utf8), timeout: 10, maxOutput: 10_000,
            environment: ["PATH": "/usr/bin:/bin"])
        guard case .exited(0, let stdout, _) = run.outcome else {
            Issue.record("unexpected outcome \(run.outcome)")
            return
        }
        let result = try JSONParser.parse(stdout)
        #expect(result["daemon"]?.number == Double(EPERM))
        #expect(result["shepherd"]?.number == Double(EPERM))
    }

    @Test func theCapabilitiesAreSummarised() {
        let c = ExecContainment.capabilities
        #expect(ExecContainment.summary.contains(c.landlockABI > 0 ? "Landlock ABI \(c.landlockABI)" : "NOT confined"))
        #expect(c.descendantListing != .unavailable, "/proc is readable here")
    }
}

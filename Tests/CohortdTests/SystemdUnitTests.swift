import Foundation
import Testing

/// The shipped systemd unit, sysusers and tmpfiles files (systemd/) hold the hardening that
/// issue 9 asks for. The text is parsed here, so CI needs no systemd; where systemd's tools are
/// installed they check the files too (verify, the security score, a root built from sysusers
/// and tmpfiles).
@Suite struct SystemdUnitTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("systemd")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// `Key=Value` settings of a unit file by section; a key given several times keeps every value.
    static func settings(_ text: String) -> [String: [String: [String]]] {
        var sections: [String: [String: [String]]] = [:]
        var section = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key, default: []].append(value)
        }
        return sections
    }

    static func service() throws -> [String: [String]] {
        try #require(settings(text("cohortd.service"))["Service"])
    }

    /// Every space-separated word of every value of `key`.
    static func words(_ service: [String: [String]], _ key: String) -> [String] {
        (service[key] ?? []).flatMap { $0.split(separator: " ").map(String.init) }
    }

    @Test func theServiceHasTheRequiredLimitsAndIsolation() throws {
        let s = try Self.service()
        let start = try #require(s["TimeoutStartSec"]?.last.flatMap(Int.init))
        #expect(start > 0 && start < 90, "READY=1 comes within a second; the default 90 s is far too long")
        let tasks = try #require(s["TasksMax"]?.last.flatMap(Int.init))
        #expect(tasks >= 32 && tasks <= 4096)
        #expect(s["LimitFSIZE"]?.last == "4G")
        #expect(s["LimitCORE"]?.last == "0")
        #expect(s["SystemCallErrorNumber"]?.last == "EPERM")
        #expect(s["PrivateMounts"]?.last == "yes")
        #expect(s["PrivateIPC"]?.last == "yes")
        #expect(s["UMask"]?.last == "0027")
        #expect(Self.words(s, "Environment").contains("SWIFT_BACKTRACE=enable=no"))
        #expect(s["KillMode"]?.last == "control-group")
        #expect(s["SupplementaryGroups"]?.last == "cohortd-drop")
    }

    @Test func landlockSystemCallsAreAllowedBeforeTheDenials() throws {
        let filters = try #require(try Self.service()["SystemCallFilter"])
        let landlock = try #require(filters.firstIndex { $0.contains("landlock_restrict_self") })
        for call in ["landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"] {
            #expect(filters[landlock].split(separator: " ").contains(Substring(call)))
        }
        let denials = try #require(filters.firstIndex { $0.hasPrefix("~") })
        #expect(landlock < denials, "an allow after a deny would re-allow what was denied")
    }

    /// The data area cannot be executed from, while the installed pipelines directory (where exec
    /// plugins' relative programs resolve) can.
    @Test func noExecPathsCoverTheDataButNotThePrograms() throws {
        let s = try Self.service()
        let noExec = Self.words(s, "NoExecPaths")
        #expect(noExec.contains("/var/lib/cohortd"))
        func covered(_ path: String) -> Bool { noExec.contains { path == $0 || path.hasPrefix($0 + "/") } }
        let config = try Self.text("cohortd.yaml")
        var paths: [String: String] = [:]
        for line in config.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { paths[parts[0]] = parts[1] }
        }
        for key in ["drop", "state", "results"] {
            let path = try #require(paths[key], "\(key) in cohortd.yaml")
            #expect(covered(path), "\(key) \(path) is executable")
            #expect(Self.words(s, "ReadWritePaths").contains { path.hasPrefix($0) }, "\(key) \(path) is not writable")
        }
        let pipelines = try #require(paths["pipelines"])
        #expect(!covered(pipelines), "exec programs beside the pipelines in \(pipelines) could not run")
        #expect(!covered("/usr/local/lib/cohortd"))
    }

    @Test func sysusersDeclaresTheUserAndTheProducersAndReadersGroups() throws {
        let lines = try Self.text("cohortd.sysusers").split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            $0.split(separator: " ").map(String.init)
        }
        #expect(lines.contains { $0.count >= 2 && $0[0] == "u" && $0[1] == "cohortd" })
        #expect(lines.contains { $0.count >= 2 && $0[0] == "g" && $0[1] == "cohortd-drop" })
        #expect(lines.contains { $0.count >= 2 && $0[0] == "g" && $0[1] == "cohortd-read" })
        #expect(lines.contains { $0 == ["m", "cohortd", "cohortd-drop"] }, "the daemon reads what producers drop")
        #expect(!lines.contains { $0.count >= 3 && $0[0] == "m" && $0[2] == "cohortd-read" && $0[1] != "cohortd" })
    }

    /// Path → (mode, user, group) of tmpfiles' `d` lines.
    static func tmpfiles() throws -> [String: (mode: String, user: String, group: String)] {
        var entries: [String: (mode: String, user: String, group: String)] = [:]
        for line in try text("cohortd.tmpfiles").split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if f.count >= 5 && f[0] == "d" { entries[f[1]] = (f[2], f[3], f[4]) }
        }
        return entries
    }

    @Test func tmpfilesGivesEachGroupOnlyItsDirectory() throws {
        let d = try Self.tmpfiles()
        let root = try #require(d["/var/lib/cohortd"])
        #expect(root.mode == "0711", "traversable, not listable")
        let drop = try #require(d["/var/lib/cohortd/drop"])
        #expect(drop.mode == "2770" && drop.user == "cohortd" && drop.group == "cohortd-drop")
        let results = try #require(d["/var/lib/cohortd/results"])
        #expect(results.mode == "2750" && results.user == "cohortd" && results.group == "cohortd-read")
        let state = try #require(d["/var/lib/cohortd/state"])
        #expect(state.mode == "0750" && state.user == "cohortd" && state.group == "cohortd")
    }

    // MARK: with systemd's tools, where installed

    static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool; returns its exit status and standard output and error together.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cohortd-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return url
    }

    @Test(.enabled(if: tool("systemd-analyze") != nil, "systemd-analyze is not installed"))
    func systemdAnalyzeScoresTheUnitAtMost0_4() throws {
        let analyze = try #require(Self.tool("systemd-analyze"))
        let result = try Self.run(analyze, ["security", "--offline=true", Self.directory.appendingPathComponent("cohortd.service").path])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.last, "\(line)")
        #expect(score <= 0.4, "\(line)")
    }

    @Test(.enabled(if: tool("systemd-analyze") != nil, "systemd-analyze is not installed"))
    func systemdAnalyzeVerifiesTheUnitWithoutAWord() throws {
        let analyze = try #require(Self.tool("systemd-analyze"))
        // The binary is not installed here: the same unit with /bin/true in its place.
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let unit = try Self.text("cohortd.service").replacingOccurrences(of: "/usr/local/bin/cohortd", with: "/bin/true")
        let path = dir.appendingPathComponent("cohortd.service").path
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        // 0644 whatever the umask: other suites set umask(0) for a moment while they test file
        // modes, and systemd-analyze warns about a world-writable unit.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let result = try Self.run(analyze, ["verify", "--man=no", path])
        #expect(result.status == 0)
        #expect(result.output.isEmpty, "verify: \(result.output)")
    }

    @Test(
        .enabled(if: tool("systemd-sysusers") != nil && tool("systemd-tmpfiles") != nil, "systemd-sysusers or systemd-tmpfiles is missing"),
        .enabled(if: getuid() == 0, "creating directories owned by other users needs root"))
    func sysusersAndTmpfilesBuildTheDataArea() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let sysusers = try Self.run(
            try #require(Self.tool("systemd-sysusers")), ["--root=\(root.path)", Self.directory.appendingPathComponent("cohortd.sysusers").path])
        #expect(sysusers.status == 0, "\(sysusers.output)")
        let tmpfiles = try Self.run(
            try #require(Self.tool("systemd-tmpfiles")),
            ["--root=\(root.path)", "--create", Self.directory.appendingPathComponent("cohortd.tmpfiles").path])
        #expect(tmpfiles.status == 0, "\(tmpfiles.output)")

        var gids: [String: UInt32] = [:]
        var members: [String: [String]] = [:]
        for line in try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8).split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if f.count >= 4, let gid = UInt32(f[2]) {
                gids[f[0]] = gid
                members[f[0]] = f[3].split(separator: ",").map(String.init)
            }
        }
        #expect(members["cohortd-drop"] == ["cohortd"])
        #expect(members["cohortd-read"] == [])
        for (path, entry) in try Self.tmpfiles() {
            var info = stat()
            #expect(lstat(root.path + path, &info) == 0, "\(path) was not created")
            #expect(String(info.st_mode & 0o7777, radix: 8) == String(Int(entry.mode, radix: 8) ?? -1, radix: 8), "\(path)")
            #expect(info.st_gid == gids[entry.group], "\(path) group")
        }
    }
}

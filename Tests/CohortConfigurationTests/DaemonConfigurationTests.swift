import CohortConfiguration
import Foundation
import Testing

/// The daemon configuration (contract daemon.md, version 2): new keys and located errors for
/// what a sysadmin may get wrong.
@Suite struct DaemonConfigurationTests {
    static let base = "drop: ../var/drop\nstate: ../var/state\nresults: ../var/results\n"

    static func configuration(_ extra: String) throws -> DaemonConfiguration {
        try DaemonConfiguration(yaml: base + extra, file: "cohortd.yaml", directory: "/srv/etc")
    }

    static func error(_ yaml: String) -> ConfigurationError? {
        configurationError { _ = try DaemonConfiguration(yaml: yaml, file: "cohortd.yaml", directory: "/srv/etc") }
    }

    @Test func defaults() throws {
        let c = try Self.configuration("")
        #expect(c.acceptHardLinks == false)
        #expect(c.memoryBudget == .auto)
        #expect(c.settle == 2 && c.rescan == 30 && c.workers == 2)
        #expect(c.maxFileSize == 2 << 30)
        #expect(c.drop == "/srv/etc/../var/drop")
        #expect(c.store == "/srv/etc/../var/state/cohortd.sqlite")
    }

    @Test func hardLinksAndMemoryBudget() throws {
        #expect(try Self.configuration("accept_hard_links: true").acceptHardLinks)
        #expect(try Self.configuration("memory_budget: 3GiB").memoryBudget == .bytes(3 << 30))
        #expect(try Self.configuration("memory_budget: 1500MB").memoryBudget == .bytes(1_500_000_000))
        #expect(try Self.configuration("memory_budget: auto").memoryBudget == .auto)
        #expect(try Self.configuration("memory_budget: Auto").memoryBudget == .auto)
        let links = try #require(Self.error(Self.base + "accept_hard_links: maybe"))
        #expect(links.code == .invalidValue && links.line == 4 && links.column == 20)
        let budget = try #require(Self.error(Self.base + "memory_budget: lots"))
        #expect(budget.code == .invalidValue && budget.line == 4 && budget.column == 16)
        #expect(budget.message.contains("auto or a size"))
        let small = try #require(Self.error(Self.base + "memory_budget: 3"))
        #expect(small.message.contains("at least 64MiB"))
        #expect(Self.error(Self.base + "memory_budget: [3GiB]")?.code == .wrongType)
    }

    @Test(arguments: [
        ("workers: 0", 10), ("workers: -2", 10), ("workers: 100000", 10), ("workers: two", 10),
        ("settle: -1", 9), ("settle: 1e9", 9), ("settle: .inf", 9), ("rescan: 0", 9), ("rescan: -30", 9), ("rescan: 86401", 9),
        ("max_file_size: 0", 16), ("max_file_size: 100000000000TiB", 16), ("max_file_size: -1GiB", 16), ("max_file_size: 2 GiBs", 16),
        ("duplicates: keep", 13), ("log_level: loud", 12),
    ])
    func badValuesAreLocated(line: String, column: Int) throws {
        let e = try #require(Self.error(Self.base + line))
        #expect(e.code == .invalidValue)
        #expect(e.line == 4 && e.column == column)
        #expect(e.path == String(line.prefix { $0 != ":" }))
    }

    @Test func boundaryValuesAreAccepted() throws {
        #expect(try Self.configuration("settle: 0").settle == 0)
        #expect(try Self.configuration("rescan: 0.5").rescan == 0.5)
        #expect(try Self.configuration("workers: 1024").workers == 1024)
        #expect(try Self.configuration("max_file_size: 1").maxFileSize == 1)
    }

    @Test func emptyPathsAreLocatedErrors() throws {
        for key in ["drop", "state", "results"] {
            let yaml = Self.base.replacingOccurrences(of: "\(key): ../var/\(key)", with: "\(key): \"  \"")
            let e = try #require(Self.error(yaml), "\(key)")
            #expect(e.code == .invalidValue)
            #expect(e.path == key)
            #expect(e.message.contains("empty path"))
        }
        #expect(Self.error(Self.base + "pipelines: \"\"")?.path == "pipelines")
        #expect(Self.error(Self.base + "store: {sqlite: \"\"}")?.code == .invalidValue)
        #expect(Self.error(Self.base + "store: {sqlite: }")?.code == .missingKey)
        #expect(Self.error("state: ../s\nresults: ../r\n")?.code == .missingKey)
    }

    @Test func dropStateAndResultsAreSeparate() throws {
        let inside = try #require(Self.error("drop: /srv/drop\nstate: /srv/state\nresults: /srv/drop/results\n"))
        #expect(inside.code == .invalidValue && inside.line == 3 && inside.path == "results")
        #expect(inside.message.contains("results is inside drop"))
        let same = try #require(Self.error("drop: /srv/drop\nstate: /srv/./drop/\nresults: /srv/results\n"))
        #expect(same.line == 2 && same.message.contains("same directory"))
        let outer = try #require(Self.error("drop: /srv/state/drop\nstate: /srv/state\nresults: /srv/results\n"))
        #expect(outer.message.contains("drop is inside state"))
        #expect(Self.error("drop: /srv/drop\nstate: /srv/drop-state\nresults: /srv/results\n") == nil)
        let store = try #require(Self.error("drop: /srv/drop\nstate: /srv/state\nresults: /srv/results\nstore: {sqlite: /srv/drop/x.sqlite}\n"))
        #expect(store.path == "store.sqlite" && store.line == 4 && store.message.contains("store is inside drop"))
        let pipelines = try #require(Self.error("drop: /srv/drop\nstate: /srv/state\nresults: /srv/results\npipelines: /srv/drop\n"))
        #expect(pipelines.path == "pipelines" && pipelines.message.contains("pipelines is inside drop"))
    }

    @Test func byteSizes() {
        #expect(DaemonConfiguration.byteSize("2GiB") == 2 << 30)
        #expect(DaemonConfiguration.byteSize(" 64k ") == 65_536)
        #expect(DaemonConfiguration.byteSize("1.5MiB") == 1_572_864)
        #expect(DaemonConfiguration.byteSize("1048576") == 1_048_576)
        #expect(DaemonConfiguration.byteSize("8388608TiB") == nil)  // 2^63 bytes
        #expect(DaemonConfiguration.byteSize("8388607TiB") == 8_388_607 << 40)
        #expect(DaemonConfiguration.byteSize("1e3") == nil)
        #expect(DaemonConfiguration.byteSize("") == nil)
        #expect(DaemonConfiguration.byteSize("GiB") == nil)
        #expect(DaemonConfiguration.byteSize("١٢MB") == nil)
    }

    @Test func readFromAFileResolvesAgainstItsDirectory() throws {
        let directory = NSTemporaryDirectory() + "cohortd-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/cohortd.yaml"
        try Self.base.write(toFile: path, atomically: true, encoding: .utf8)
        let c = try DaemonConfiguration(contentsOf: path)
        #expect(c.drop.hasSuffix("/../var/drop"))
        #expect(c.drop.hasPrefix(URL(fileURLWithPath: directory).standardizedFileURL.path))
        #expect(c.file == path)
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration(contentsOf: directory + "/absent.yaml") }
    }
}

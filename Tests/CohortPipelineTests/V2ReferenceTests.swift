import CohortJSON
import CohortPipeline
import Foundation
import Testing

/// The version-2 analyses against R (`analyses-v2.md`): each public reference case of
/// `Fixtures/v2` (copied from `shared/reference/v2`, made by `make_public_refs.R`) is run through
/// the pipeline that `rcheck2.py pipeline` writes for it, and `rcheck2.py compare` must report
/// every figure in agreement (1e-9 relative). One test per case and plugin, so that a mismatch
/// names its analysis; `RCHECK2_ONLY=group` keeps issue 10's analyses (no landmark, no CIF/RMST).
@Suite struct V2ReferenceTests {
    static let directory = Repository.fixtures.appendingPathComponent("v2")

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var plugin: String
        /// Only these analyses of the plugin (all when `nil`).
        var ids: [String]? = nil
        var testDescription: String { "\(name) \(plugin)" + (ids.map { " " + $0.joined(separator: ",") } ?? "") }
    }

    static let groupCases: [Case] = [
        Case(name: "lung", plugin: "descriptives"), Case(name: "lung", plugin: "cox"),
        Case(name: "lung", plugin: "logrank"), Case(name: "lung", plugin: "roc_cutoff"),
        Case(name: "transplant", plugin: "descriptives"), Case(name: "transplant", plugin: "logrank"),
    ]

    @Test(arguments: groupCases) func groupComparisonsAgreeWithR(_ c: Case) async throws {
        let (agreed, total, lines) = try await Self.check(c, only: "group")
        #expect(total > 0, "the reference has figures for \(c.plugin)")
        #expect(agreed == total, "\(c.name) \(c.plugin): agree \(agreed)/\(total)\n\(lines.joined(separator: "\n"))")
    }

    /// Issue 11's analyses (`RCHECK2_ONLY=competing`): KM differences, RMST, landmarks on
    /// kaplan_meier, logrank, cox and rmst, cumulative incidence.
    static let competingCases: [Case] = [
        Case(name: "lung", plugin: "kaplan_meier"),
        Case(name: "lung", plugin: "rmst"),
        Case(name: "lung", plugin: "cox"),
        Case(name: "lung", plugin: "logrank"),
        Case(name: "transplant", plugin: "cumulative_incidence"),
    ]

    @Test(arguments: competingCases) func competingRisksAndFixedTimeAnalysesAgreeWithR(_ c: Case) async throws {
        let (agreed, total, lines) = try await Self.check(c, only: "competing")
        #expect(total > 0, "the reference has figures for \(c.plugin)")
        #expect(agreed == total, "\(c.name) \(c.plugin): agree \(agreed)/\(total)\n\(lines.joined(separator: "\n"))")
    }

    /// Runs rcheck2.py's pipeline for one plugin's analyses of a case and compares the results.
    static func check(_ c: Case, only: String) async throws -> (agreed: Int, total: Int, lines: [String]) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("v2-\(c.name)-\(c.plugin)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        // The reference restricted to the plugin's analyses.
        var reference = try Repository.json(directory.appendingPathComponent("\(c.name).json"))
        let analyses = (reference["analyses"] as? [[String: Any]]) ?? []
        reference["analyses"] = analyses.filter { analysis in
            (analysis["plugin"] as? String) == c.plugin && (c.ids.map { $0.contains((analysis["id"] as? String) ?? "") } ?? true)
        }
        let referencePath = work.appendingPathComponent("ref.json")
        try JSONSerialization.data(withJSONObject: reference).write(to: referencePath)
        let csvPath = directory.appendingPathComponent("\(c.name).csv")
        let pipelinePath = work.appendingPathComponent("pipeline.yaml")
        _ = try rcheck2(["pipeline", referencePath.path, csvPath.path, pipelinePath.path], only: only)
        let yaml = try String(contentsOf: pipelinePath, encoding: .utf8)
        let csv = try String(contentsOf: csvPath, encoding: .utf8)
        let outcome = try await runPipeline(yaml, csv: csv, directory: work.path)
        let resultsPath = work.appendingPathComponent("results.json")
        try Data(outcome.document.serialized(indent: 2).utf8).write(to: resultsPath)
        let output = try rcheck2(["compare", referencePath.path, resultsPath.path], only: only)
        let lines = output.split(separator: "\n").map(String.init)
        let last = try #require(lines.last { $0.hasPrefix("agree ") }, "rcheck2 printed no agree line:\n\(output)")
        let counts = last.dropFirst("agree ".count).split(separator: "/").compactMap { Int($0) }
        try #require(counts.count == 2)
        return (counts[0], counts[1], lines)
    }

    static func rcheck2(_ arguments: [String], only: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory.appendingPathComponent("rcheck2.py").path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["RCHECK2_ONLY"] = only
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

import CohortJSON
import CohortPipeline
import CohortReport
import Foundation
import Testing

/// The shipped, inactive examples (`etc/pipelines.d/examples/`) run on `examples/lung.csv` and
/// `examples/transplant.csv` without an error, use every version-2 key, and their checks reach
/// the report.
@Suite struct ShippedExampleTests {
    static let pipeline = Repository.root.appendingPathComponent("etc/pipelines.d/examples/lung-group-comparisons.yaml")
    static let data = Repository.root.appendingPathComponent("examples/lung.csv")

    @Test func theLungExampleRunsEveryAnalysis() async throws {
        let yaml = try String(contentsOf: Self.pipeline, encoding: .utf8)
        let csv = try String(contentsOf: Self.data, encoding: .utf8)
        for key in [
            "by:", "tests: ezr", "tests: gtsummary", "nonnormal:", "smd:", "missing:", "strata:", "ph_test:", "ph_alpha:",
            "factor_test: wald", "factor_test: lr", "pairwise:", "trend:", "compare:",
        ] {
            #expect(yaml.contains(key), "the example shows \(key)")
        }
        let outcome = try await runPipeline(yaml, csv: csv, directory: Self.pipeline.deletingLastPathComponent().path)
        #expect(outcome.status == .ok, "\(outcome.analysisErrors)")
        let hazards = try #require(outcome.document.analysis("hazards")?["result"])
        #expect(hazards["warnings"]?.array.contains { $0["code"]?.string == "ph_violated" } == true)
        let renderer = ReportRenderer(title: "t", subtitle: "s", sections: outcome.report, minCell: 0)
        let markdown = renderer.markdown()
        #expect(markdown.contains("## Checks"))
        #expect(markdown.contains("## Cox proportional-hazards models, stratified by sex"))
        #expect(markdown.contains("## Pairwise comparisons of ECOG performance score"))
    }

    static func run(_ pipeline: String, data: String) async throws -> (yaml: String, outcome: RunOutcome) {
        let path = Repository.root.appendingPathComponent("etc/pipelines.d/examples/\(pipeline)")
        let yaml = try String(contentsOf: path, encoding: .utf8)
        let csv = try String(contentsOf: Repository.root.appendingPathComponent("examples/\(data)"), encoding: .utf8)
        return (yaml, try await runPipeline(yaml, csv: csv, directory: path.deletingLastPathComponent().path))
    }

    static func codes(_ outcome: RunOutcome, _ id: String) -> [String] {
        outcome.document.analysis(id)?["result"]?["warnings"]?.array.compactMap { $0["code"]?.string } ?? []
    }

    @Test func theFixedTimeAndLandmarkExampleRunsEveryAnalysis() async throws {
        let (yaml, outcome) = try await Self.run("lung-beyond-proportional-hazards.yaml", data: "lung.csv")
        for key in ["compare_at:", "landmark:", "plugin: rmst", "tau:", "conf_level:", "checks: false"] {
            #expect(yaml.contains(key), "the example shows \(key)")
        }
        let entries = yaml.components(separatedBy: "  - id: ").dropFirst()
        for plugin in ["kaplan_meier", "rmst", "cox", "logrank"] {
            #expect(entries.contains { $0.contains("plugin: \(plugin)\n") && $0.contains("landmark:") }, "the example shows landmark on \(plugin)")
        }
        #expect(outcome.status == .ok, "\(outcome.analysisErrors)")
        #expect(Self.codes(outcome, "hazards").contains("ph_violated"), "the default PH check flags the Karnofsky score")
        #expect(Self.codes(outcome, "hazards_unchecked").isEmpty, "checks: false")
        let landmark = try #require(outcome.document.analysis("logrank_from_day_90")?["result"]?["landmark"])
        #expect(landmark["time"]?.number == 90)
        #expect((landmark["n"]?.number ?? 0) > 0)
        let markdown = ReportRenderer(title: "t", subtitle: "s", sections: outcome.report, minCell: 0).markdown()
        #expect(markdown.contains("Landmark analysis at 90 days"))
    }

    @Test func theCompetingRisksExampleRunsEveryAnalysis() async throws {
        let (yaml, outcome) = try await Self.run("transplant-competing-risks.yaml", data: "transplant.csv")
        for key in ["competing:", "status:", "censored:", "unit:", "plugin: cumulative_incidence", "event:", "times:", "rho:", "checks: false"] {
            #expect(yaml.contains(key), "the example shows \(key)")
        }
        #expect(outcome.status == .ok, "\(outcome.analysisErrors)")
        #expect(Self.codes(outcome, "death_km").contains("competing_events"))
        #expect(Self.codes(outcome, "death_logrank").contains("competing_events"))
        #expect(Self.codes(outcome, "death_km_unchecked").isEmpty, "checks: false")
        let tests = try #require(outcome.document.analysis("transplant_by_abo")?["result"]?["tests"]?.array)
        #expect(tests.count == 3, "Gray's test for each event type")
        let markdown = ReportRenderer(title: "t", subtitle: "s", sections: outcome.report, minCell: 0).markdown()
        #expect(markdown.contains("## Cumulative incidence of ltx by Blood group"))
        #expect(markdown.contains("competing_events"))
    }
}

import CohortJSON
import CohortPipeline
import CohortReport
import Foundation
import Testing

/// The shipped, inactive example of the group comparisons (`etc/pipelines.d/examples/`) runs on
/// `examples/lung.csv` without an error, uses every version-2 key, and its checks reach the report.
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
}

import CohortConfiguration
import CohortJSON
import CohortPipeline
import Foundation
import Testing

/// `rmst` (analyses-v2.md): located errors for tau, nulls with a reason past a group's follow-up,
/// the comparison only with two levels. The figures against R are in V2ReferenceTests.
@Suite struct RMSTTests {
    static func yaml(_ analysis: String) -> String {
        """
        name: rmst
        match: ["*.csv"]
        columns: {t: number, e: {type: boolean, true: ["1"], false: ["0"]}, g: {type: category, levels: [a, b, c]}, h: {type: category, levels: [x, y]}}
        survival: {time: t, event: e, unit: months}
        analyses:
          - \(analysis)
        """
    }

    static let csv = "t,e,g,h\n1,1,a,x\n3,0,a,x\n5,1,a,y\n9,0,a,y\n2,1,b,x\n4,1,b,y\n6,0,b,y\n"

    @Test func tauIsRequiredAndPositive() {
        for (analysis, text) in [("{id: r, plugin: rmst}", "tau"), ("{id: r, plugin: rmst, tau: -3}", "positive")] {
            let error = configurationError {
                _ = try LoadedPipeline(text: Self.yaml(analysis), file: "r.yaml", directory: "/tmp", registry: testRegistry)
            }
            #expect(error?.message.contains(text) == true, "\(analysis)")
            #expect(error?.line == 6)
        }
    }

    @Test func aTauPastAGroupsFollowUpIsNullWithAReason() async throws {
        let outcome = try await runPipeline(Self.yaml("{id: r, plugin: rmst, tau: 8, by: h}"), csv: Self.csv)
        let result = try #require(outcome.document.analysis("r")?["result"])
        let groups = result["groups"]?.array ?? []
        // x: times 1, 3, 2 (last 3): past; y: 4, 5 (events), 6, 9 (censored): S = 1 to 4, 3/4 to 5, 1/2 after.
        #expect(groups[0]["rmst"] == .null && groups[0]["reason"]?.string?.contains("past the last follow-up") == true)
        #expect(abs((groups[1]["rmst"]?.number ?? 0) - (4 + 1 * 0.75 + 3 * 0.5)) < 1e-12)
        #expect(result["difference"] == .null && result["ratio"] == .null && result["comparison_reason"]?.string != nil)
        let codes = (result["warnings"]?.array ?? []).compactMap { $0["code"]?.string }
        #expect(codes.contains("past_follow_up") && codes.contains("not_estimable"))
    }

    @Test func threeLevelsHaveNoComparisonAndAnEmptyLevelIsNull() async throws {
        let outcome = try await runPipeline(Self.yaml("{id: r, plugin: rmst, tau: 4, by: g}"), csv: Self.csv)
        let result = try #require(outcome.document.analysis("r")?["result"])
        let groups = result["groups"]?.array ?? []
        #expect(groups.count == 3)
        #expect(groups[2]["rmst"] == .null && groups[2]["reason"]?.string == "no patients")
        #expect(result["difference"] == .null && result["comparison_reason"] == .null)
        // a: S = 1 to 1, 3/4 to 4 (3 censored): 1 + 3 × 0.75.
        #expect(abs((groups[0]["rmst"]?.number ?? 0) - 3.25) < 1e-12)
    }
}

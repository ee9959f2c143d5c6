import CohortConfiguration
import CohortJSON
import CohortPipeline
import Foundation
import Testing

/// `kaplan_meier` `compare_at` (analyses-v2.md): located errors, nulls with a reason past a
/// group's follow-up, the `past_follow_up` check. The figures against R are in V2ReferenceTests.
@Suite struct KaplanMeierDifferencesTests {
    static func yaml(_ analysis: String) -> String {
        """
        name: km
        match: ["*.csv"]
        columns: {t: number, e: {type: boolean, true: ["1"], false: ["0"]}, g: {type: category, levels: [a, b, c]}}
        survival: {time: t, event: e, unit: months}
        analyses:
          - \(analysis)
        """
    }

    static let csv = "t,e,g\n1,1,a\n3,0,a\n5,1,a\n9,0,a\n2,1,b\n4,1,b\n6,0,b\n"

    @Test func compareAtNeedsBy() {
        let error = configurationError {
            _ = try LoadedPipeline(
                text: Self.yaml("{id: k, plugin: kaplan_meier, compare_at: [3]}"), file: "km.yaml", directory: "/tmp", registry: testRegistry)
        }
        #expect(error?.message.contains("give `by` too") == true)
        #expect(error?.line == 6)
    }

    @Test func pastFollowUpIsNullWithAReasonAndAWarning() async throws {
        let outcome = try await runPipeline(Self.yaml("{id: k, plugin: kaplan_meier, by: g, compare_at: [2, 8]}"), csv: Self.csv)
        #expect(outcome.status == .ok)
        let result = try #require(outcome.document.analysis("k")?["result"])
        let differences = result["differences"]?.array ?? []
        // Pairs a-b, a-c, b-c at each time; c has no patients.
        #expect(differences.count == 6)
        let early = try #require(differences.first)
        #expect(early["a"]?.string == "a" && early["b"]?.string == "b" && early["difference"]?.number != nil)
        // S_a(2) = 3/4, S_b(2) = 2/3.
        #expect(abs((early["difference"]?.number ?? 0) - (0.75 - 2.0 / 3.0)) < 1e-12)
        let late = differences[3]  // a-b at 8: past b's last time (6)
        #expect(late["difference"] == .null && late["reason"]?.string?.contains("past the last follow-up of b") == true)
        #expect(differences[1]["reason"]?.string?.contains("no patients in c") == true)
        let warnings = result["warnings"]?.array ?? []
        #expect(warnings.contains { $0["code"]?.string == "past_follow_up" && $0["group"]?.string == "b" && $0["time"]?.number == 8 })
        #expect(!warnings.contains { $0["group"]?.string == "a" })
    }
}

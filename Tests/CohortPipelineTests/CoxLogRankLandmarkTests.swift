import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortReport
import Foundation
import Testing

/// `landmark: L` on `cox` and `logrank` (`analyses-v2.md`, "landmark") beyond the figures that
/// V2ReferenceTests compares with R (lung `cox_landmark`, `lr_landmark`): the `landmark` key is
/// null without one, the report says how many were left out, a landmark past every time is a null
/// with a reason, and a bad landmark a located error.
@Suite struct CoxLogRankLandmarkTests {
    static func yaml(_ analyses: [String]) -> String {
        """
        name: lm
        match: ["*.csv"]
        columns: {t: number, e: {type: boolean, true: ["1"], false: ["0"]}, x: number, g: {type: category, levels: [a, b]}}
        survival: {time: t, event: e, unit: months}
        analyses:
        \(analyses.map { "  - " + $0 }.joined(separator: "\n"))
        """
    }

    /// Two patients before 4, an event at 4 (left out), a censoring at 4 (kept, at time 0), and six after.
    static let csv = "t,e,x,g\n1,1,3,a\n3,0,1,b\n4,1,2,a\n4,0,5,b\n5,1,2,a\n6,1,4,b\n7,0,3,a\n8,1,6,b\n9,1,1,a\n12,0,2,b\n"

    static func note(_ outcome: RunOutcome, _ id: String) -> String {
        (outcome.report.first { $0.id == id }?.blocks ?? []).compactMap { block -> String? in
            if case .table(let t) = block { return t.note }
            return nil
        }.first ?? ""
    }

    @Test func theCountsAreInTheResultAndTheReport() async throws {
        let outcome = try await runPipeline(
            Self.yaml(["{id: cox, plugin: cox, univariable: [x], landmark: 4}", "{id: lr, plugin: logrank, groups: [g], landmark: 4}"]),
            csv: Self.csv)
        let expected = JSONValue.object([("time", .number(4)), ("excluded_before", .number(2)), ("excluded_at", .number(1)), ("n", .number(7))])
        for id in ["cox", "lr"] {
            #expect(outcome.document.analysis(id)?["result"]?["landmark"] == expected, "\(id)")
            #expect(Self.note(outcome, id).contains("Landmark analysis at 4 months: 2 patients followed for less than 4 months and 1 with an event"))
        }
        // 7 patients on the landmark clock: the censoring at 4 is kept (time 0).
        let model = try #require(outcome.document.analysis("cox")?["result"]?["models"]?.array.first)
        #expect(model["n"]?.number == 7 && model["events"]?.number == 4)
        let test = try #require(outcome.document.analysis("lr")?["result"]?["tests"]?.array.first)
        #expect(test["n_used"]?.number == 7)
    }

    @Test func withoutALandmarkTheKeyIsNull() async throws {
        let outcome = try await runPipeline(
            Self.yaml(["{id: cox, plugin: cox, univariable: [x]}", "{id: lr, plugin: logrank, groups: [g]}"]), csv: Self.csv)
        for id in ["cox", "lr"] {
            let result = try #require(outcome.document.analysis(id)?["result"])
            #expect(result["landmark"] == .null, "\(id)")
            #expect(!Self.note(outcome, id).contains("Landmark"))
        }
    }

    @Test func aLandmarkPastEveryTimeIsANullWithAReason() async throws {
        let outcome = try await runPipeline(
            Self.yaml(["{id: cox, plugin: cox, univariable: [x], landmark: 50}", "{id: lr, plugin: logrank, groups: [g], landmark: 50}"]),
            csv: Self.csv)
        #expect(outcome.status == .ok)
        let model = try #require(outcome.document.analysis("cox")?["result"]?["models"]?.array.first)
        #expect(model["n"] == .null && (model["reason"]?.string ?? "").contains("landmark"))
        let test = try #require(outcome.document.analysis("lr")?["result"]?["tests"]?.array.first)
        #expect(test["p"] == .null && (test["reason"]?.string ?? "").contains("landmark"))
        for id in ["cox", "lr"] {
            #expect(outcome.document.analysis(id)?["result"]?["landmark"]?["n"]?.number == 0)
        }
    }

    @Test func aNegativeLandmarkIsALocatedError() {
        for analysis in ["{id: cox, plugin: cox, univariable: [x], landmark: -1}", "{id: lr, plugin: logrank, groups: [g], landmark: soon}"] {
            let error = configurationError {
                _ = try LoadedPipeline(text: Self.yaml([analysis]), file: "p.yaml", directory: "/tmp", registry: testRegistry)
            }
            #expect(error?.line == 6, "\(analysis)")
        }
    }
}

import CohortConfiguration
import CohortJSON
import CohortReport
import Foundation
import Testing

@testable import CohortPipeline
@testable import CoxPlugin

/// The default PH check of every Cox model (`analyses-v2.md`, "Common: warnings": `ph_violated`
/// also without `ph_test`) and `checks: false` on an analysis, on R's lung data. The p-values are
/// R's (`Fixtures/default_ph_check.R`): cox.zph(transform = "km") p = 0.008171405087 for
/// ph_karno alone, 0.5563181637 for age alone.
@Suite struct MethodChecksPipelineTests {
    static let lung: String = (try? String(contentsOf: Repository.fixtures.appendingPathComponent("v2/lung.csv"), encoding: .utf8)) ?? ""

    static func yaml(_ analyses: [String]) -> String {
        """
        name: lung
        match: ["*.csv"]
        columns: {time: number, event: {type: boolean, true: ["1"], false: ["0"]}, ph_karno: number, age: number, sex: {type: category, levels: [male, female]}}
        input: {missing: [""]}
        survival: {time: time, event: event, unit: days}
        analyses:
        \(analyses.map { "  - " + $0 }.joined(separator: "\n"))
        """
    }

    static func warnings(_ outcome: RunOutcome, _ id: String) -> [JSONValue] {
        outcome.document.analysis(id)?["result"]?["warnings"]?.array ?? []
    }

    static func tables(_ outcome: RunOutcome, _ id: String) -> [String] {
        (outcome.report.first { $0.id == id }?.blocks ?? []).compactMap { block -> String? in
            if case .table(let t) = block { return t.name }
            return nil
        }
    }

    static func note(_ outcome: RunOutcome, _ id: String) -> String {
        (outcome.report.first { $0.id == id }?.blocks ?? []).compactMap { block -> String? in
            if case .table(let t) = block { return t.note }
            return nil
        }.first ?? ""
    }

    static func hasChecks(_ outcome: RunOutcome, _ id: String) -> Bool {
        (outcome.report.first { $0.id == id }?.blocks ?? []).contains { if case .checks = $0 { true } else { false } }
    }

    @Test func aCoxModelWithoutPHTestIsStillCheckedAndAViolationIsAWarning() async throws {
        let outcome = try await runPipeline(Self.yaml(["{id: cox, plugin: cox, univariable: [ph_karno]}"]), csv: Self.lung)
        let flagged = Self.warnings(outcome, "cox").filter { $0["code"]?.string == "ph_violated" }
        try #require(flagged.count == 1)
        #expect(flagged[0]["term"]?.string == "ph_karno")
        let p = try #require(flagged[0]["p"]?.number)
        #expect(abs(p - 0.008171405087) / 0.008171405087 < 1e-9)
        let message = flagged[0]["message"]?.string ?? ""
        #expect(message.contains("not proportional") && message.contains("ph_karno"))
        #expect(message.contains("rmst") && message.contains("landmark"))
        // The test's table stays out of the result and the report: it was not asked for.
        let model = try #require(outcome.document.analysis("cox")?["result"]?["models"]?.array.first)
        #expect(model["ph_test"] == .null)
        #expect(model["ph_test_reason"]?.string != nil)
        #expect(Self.tables(outcome, "cox") == ["cox_models"])
        #expect(Self.note(outcome, "cox").contains("Proportional hazards checked by cox.zph"))
        let markdown = ReportRenderer(title: "t", subtitle: "s", sections: outcome.report, minCell: 0).markdown()
        #expect(markdown.contains("## Checks") && markdown.contains("`ph_violated`"))
    }

    @Test func aModelWithProportionalHazardsRaisesNoPHWarning() async throws {
        let outcome = try await runPipeline(Self.yaml(["{id: cox, plugin: cox, univariable: [age]}"]), csv: Self.lung)
        #expect(outcome.status == .ok)
        #expect(!Self.warnings(outcome, "cox").contains { $0["code"]?.string == "ph_violated" })
    }

    @Test func withPHTestTheWarningPointsAtTheAlternativesToo() async throws {
        let outcome = try await runPipeline(Self.yaml(["{id: cox, plugin: cox, univariable: [ph_karno, age], ph_test: true}"]), csv: Self.lung)
        let flagged = Self.warnings(outcome, "cox").filter { $0["code"]?.string == "ph_violated" }
        #expect(flagged.map { $0["term"]?.string } == ["ph_karno"])
        #expect(flagged.allSatisfy { ($0["message"]?.string ?? "").contains("rmst") && ($0["message"]?.string ?? "").contains("landmark") })
        #expect(Self.tables(outcome, "cox") == ["cox_models", "cox_ph_tests"])
    }

    @Test func checksFalseRemovesTheWarningsOfEveryKindOfAnalysis() async throws {
        // Each raises a check with checks on: ph_violated, past_follow_up (a time past the women's
        // last follow-up, 965 days, in a partitioned plugin), past_follow_up + not_estimable (rmst).
        let analyses = [
            "{id: cox, plugin: cox, univariable: [ph_karno]}", "{id: lr, plugin: logrank, groups: [sex], times: [1000]}",
            "{id: rm, plugin: rmst, tau: 1000, by: sex}",
        ]
        let on = try await runPipeline(Self.yaml(analyses), csv: Self.lung)
        let off = try await runPipeline(Self.yaml(analyses.map { $0.replacingOccurrences(of: "}", with: ", checks: false}") }), csv: Self.lung)
        for id in ["cox", "lr", "rm"] {
            #expect(!Self.warnings(on, id).isEmpty, "\(id) raises a check")
            #expect(Self.hasChecks(on, id))
            #expect(off.document.analysis(id)?["result"]?["warnings"] == .array([]), "\(id)")
            #expect(!Self.hasChecks(off, id), "\(id)")
        }
        let markdown = ReportRenderer(title: "t", subtitle: "s", sections: off.report, minCell: 0).markdown()
        #expect(!markdown.contains("## Checks") && !markdown.contains("**Check**"))
        #expect(!Self.note(off, "cox").contains("Proportional hazards checked"))
        // The figures themselves are unchanged.
        #expect(on.document.analysis("lr")?["result"]?["tests"] == off.document.analysis("lr")?["result"]?["tests"])
        #expect(on.document.analysis("cox")?["result"]?["models"] == off.document.analysis("cox")?["result"]?["models"])
    }

    @Test func aNonBooleanChecksIsALocatedConfigurationError() {
        let error = configurationError {
            _ = try LoadedPipeline(
                text: Self.yaml(["{id: rm, plugin: rmst, tau: 100}", "{id: cox, plugin: cox, univariable: [age], checks: sometimes}"]),
                file: "p.yaml", directory: "/tmp", registry: testRegistry)
        }
        #expect(error?.message.contains("checks must be true or false") == true, "\(String(describing: error))")
        #expect(error?.line == 8)
    }

    /// With checks off, Cox does not compute the default PH test at all (its cost on large files);
    /// an explicit `ph_test: true` is still computed.
    @Test func checksFalseSkipsTheDefaultPHTest() throws {
        func parameters(_ analysis: String) throws -> CoxPlugin.Parameters {
            let pipeline = try Pipeline(yaml: Self.yaml([analysis]), file: "p.yaml")
            let spec = try #require(pipeline.analyses.first)
            let context = LoadedPipeline.context(of: pipeline, id: spec.id, earlier: [])
            return try CoxPlugin.decode(YAMLParameterValue(spec.node), context: context)
        }
        #expect(try parameters("{id: c, plugin: cox, univariable: [age]}").computesPHTest)
        #expect(try !parameters("{id: c, plugin: cox, univariable: [age], checks: false}").computesPHTest)
        #expect(try parameters("{id: c, plugin: cox, univariable: [age], checks: false, ph_test: true}").computesPHTest)
    }
}

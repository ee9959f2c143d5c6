import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortReport
import Foundation
import Testing

/// Table 1 between groups (`analyses-v2.md`, "descriptives"): the bad inputs of issue 10 against R
/// (`Fixtures/desc_edge`, made by `make_desc_edge.R` with `refs_v2_lib.R`), configuration errors,
/// the warnings, the report's layout and v1's results without `by`.
@Suite struct DescriptivesByGroupTests {
    static let edgeDirectory = Repository.fixtures.appendingPathComponent("desc_edge")

    /// An empty level, a constant variable, a variable missing in a whole group, a level that
    /// never occurs and the exact Wilcoxon test: every figure = R, every null with a reason.
    @Test func edgeCasesAgreeWithR() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("desc-edge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let reference = Self.edgeDirectory.appendingPathComponent("desc_edge.json")
        let csvPath = Self.edgeDirectory.appendingPathComponent("desc_edge.csv")
        let pipelinePath = work.appendingPathComponent("pipeline.yaml")
        _ = try V2ReferenceTests.rcheck2(["pipeline", reference.path, csvPath.path, pipelinePath.path], only: "group")
        let yaml = try String(contentsOf: pipelinePath, encoding: .utf8)
        let outcome = try await runPipeline(yaml, csv: try String(contentsOf: csvPath, encoding: .utf8), directory: work.path)
        let resultsPath = work.appendingPathComponent("results.json")
        try Data(outcome.document.serialized(indent: 2).utf8).write(to: resultsPath)
        let output = try V2ReferenceTests.rcheck2(["compare", reference.path, resultsPath.path], only: "group")
        let last = try #require(output.split(separator: "\n").last { $0.hasPrefix("agree ") })
        let counts = last.dropFirst("agree ".count).split(separator: "/").compactMap { Int($0) }
        #expect(counts.count == 2 && counts[0] == counts[1] && counts[0] > 300, "\(output)")
        // No NaN reaches results.json, and every null test or SMD carries a reason and a warning.
        #expect(!outcome.document.serialized(indent: 0).contains("NaN"))
        for id in ["edge_ezr3", "edge_gts3", "edge_ezr2", "edge_gts2"] {
            let result = try #require(outcome.document.analysis(id)?["result"])
            let warnings = result["warnings"]?.array ?? []
            for v in result["variables"]?.array ?? [] {
                let name = v["name"]?.string ?? ""
                if v["test"] == .null {
                    #expect((v["test_reason"]?.string ?? "").isEmpty == false, "\(id) \(name): test reason")
                    #expect(
                        warnings.contains { $0["code"]?.string == "not_estimable" && $0["variable"]?.string == name && $0["what"]?.string == "test" },
                        "\(id) \(name): not_estimable warning for the test")
                }
                if v["smd"] == .null {
                    #expect((v["smd_reason"]?.string ?? "").isEmpty == false, "\(id) \(name): smd reason")
                    #expect(
                        warnings.contains { $0["code"]?.string == "not_estimable" && $0["what"]?.string == "smd" && $0["variable"]?.string == name })
                }
            }
        }
        // The constant variable's test and SMD are null (R: NaN), in both rules.
        let constant = try #require(outcome.document.analysis("edge_ezr3")?["result"]?["variables"]?.array.first { $0["name"]?.string == "const" })
        #expect(constant["test"] == .null && constant["smd"] == .null)
        // ezr with three groups tests a category by chi-square: 'site' has expected counts below 5.
        let ezr3 = outcome.document.analysis("edge_ezr3")?["result"]?["warnings"]?.array ?? []
        #expect(ezr3.contains { $0["code"]?.string == "sparse_expected" && $0["variable"]?.string == "site" })
    }

    static let pipeline = """
        name: t1
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
          arm: {type: category, levels: [a, b]}
          one: {type: category, levels: [only]}
          grade: {type: category, levels: [low, high, top]}
          age: number
        survival: {time: time, event: dead}
        analyses:

        """

    static func error(_ analysis: String) -> ConfigurationError? {
        configurationError {
            _ = try LoadedPipeline(text: pipeline + analysis, file: "p.yaml", directory: "/tmp", registry: testRegistry)
        }
    }

    @Test func configurationErrorsAreLocated() throws {
        let oneLevel = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [age], by: one, tests: ezr}"))
        #expect(oneLevel.message.contains("declares 1 level"))
        #expect(oneLevel.line == 12)
        let unknown = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [age], by: armm}"))
        #expect(unknown.code == .undeclaredVariable)
        let numeric = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [grade], by: age}"))
        #expect(numeric.message.contains("category or boolean") || numeric.message.contains("boolean or category"))
        let badRule = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [age], by: arm, tests: spss}"))
        #expect(badRule.code == .invalidValue)
        let badMissing = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [age], by: arm, missing: sometimes}"))
        #expect(badMissing.code == .invalidValue)
        let noBy = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [age], tests: ezr}"))
        #expect(noBy.message.contains("need 'by'"))
        let smdNoBy = try #require(Self.error("  - {id: d, plugin: descriptives, variables: [age], smd: true}"))
        #expect(smdNoBy.message.contains("needs 'by'"))
        let nonnormalRule = try #require(
            Self.error("  - {id: d, plugin: descriptives, variables: [age], by: arm, tests: gtsummary, nonnormal: [age]}"))
        #expect(nonnormalRule.message.contains("ezr"))
        let nonnormalOther = try #require(
            Self.error("  - {id: d, plugin: descriptives, variables: [age], by: arm, tests: ezr, nonnormal: [time]}"))
        #expect(nonnormalOther.message.contains("not among"))
        let nonnormalCategory = try #require(
            Self.error("  - {id: d, plugin: descriptives, variables: [grade], by: arm, tests: ezr, nonnormal: [grade]}"))
        #expect(nonnormalCategory.code == .invalidValue)
    }

    static let csv =
        "time,dead,arm,one,grade,age\n"
        + (0..<24).map { k in
            "\(k + 1),\(k % 3 == 0 ? 1 : 0),\(k % 5 == 4 ? "" : (k % 2 == 0 ? "a" : "b")),only,\(["low", "high", "low", "top"][k % 4]),\(k == 3 ? "" : String(40 + (k * 7) % 30))"
        }.joined(separator: "\n") + "\n"

    @Test func reportHasAColumnPerGroupOverallPAndTheTestInAFootnote() async throws {
        let yaml =
            Self.pipeline
            + "  - {id: d, plugin: descriptives, variables: [age, grade], by: arm, tests: ezr, nonnormal: [age], smd: true, missing: always}"
        let outcome = try await runPipeline(yaml, csv: Self.csv)
        #expect(outcome.status == .ok)
        let result = try #require(outcome.document.analysis("d")?["result"])
        #expect(result["by_missing"]?.number == 4)
        let blocks = try #require(outcome.report.first { $0.id == "d" }?.blocks)
        guard case .table(let table) = try #require(blocks.first) else {
            Issue.record("no table")
            return
        }
        #expect(table.header == ["Variable", "", "a (n = 10)", "b (n = 10)", "Overall (n = 20)", "p", "SMD"])
        // age: Kruskal–Wallis (nonnormal) marked ᵃ, grade: Fisher (two groups under ezr) marked ᵇ.
        let ageRow = try #require(table.rows.first { $0.first == .text("age") })
        #expect(ageRow[1] == .text("Median [IQR]"))
        guard case .text(let p) = ageRow[5] else { return }
        #expect(p.hasSuffix("ᵃ"))
        let note = table.note ?? ""
        #expect(note.contains("ᵃ Kruskal–Wallis rank-sum test") && note.contains("ᵇ Fisher's exact test"))
        #expect(note.contains("4 patients with arm missing left out"))
        // missing: always prints a Missing row for grade too (no value missing).
        let missingRows = table.rows.filter { $0.count > 1 && $0[1] == .text("Missing") }
        #expect(missingRows.count == 2)
        #expect(table.rows.allSatisfy { $0.count == table.header.count })
    }

    @Test func missingNoHidesTheMissingRowsAndTestsNoneHasNoPColumn() async throws {
        let yaml = Self.pipeline + "  - {id: d, plugin: descriptives, variables: [age, grade], by: arm, missing: \"no\"}"
        let outcome = try await runPipeline(yaml, csv: Self.csv)
        let blocks = try #require(outcome.report.first { $0.id == "d" }?.blocks)
        guard case .table(let table) = try #require(blocks.first) else { return }
        #expect(table.header == ["Variable", "", "a (n = 10)", "b (n = 10)", "Overall (n = 20)"])
        #expect(!table.rows.contains { $0.count > 1 && $0[1] == .text("Missing") })
        let v = try #require(outcome.document.analysis("d")?["result"]?["variables"]?.array.first)
        #expect(v["test"] == nil && v["smd"] == nil && v["groups"]?.array.count == 2)
    }

    /// Without `by`, results.json is v1's: no group keys, only `warnings: []` added.
    @Test func withoutByTheResultIsVersionOnes() async throws {
        let yaml = Self.pipeline + "  - {id: d, plugin: descriptives, variables: [age, grade]}"
        let outcome = try await runPipeline(yaml, csv: Self.csv)
        let result = try #require(outcome.document.analysis("d")?["result"])
        guard case .object(let pairs) = result else { return }
        #expect(pairs.map(\.key) == ["variables", "warnings"])
        #expect(result["warnings"]?.array.isEmpty == true)
        let age = try #require(result["variables"]?.array.first)
        guard case .object(let keys) = age else { return }
        #expect(keys.map(\.key) == ["name", "type", "n", "missing", "median", "min", "max", "q1", "q3", "mean", "sd"])
        let blocks = try #require(outcome.report.first { $0.id == "d" }?.blocks)
        guard case .table(let table) = try #require(blocks.first) else { return }
        #expect(table.header == ["Variable", "", "n (%) or median (range)"])
    }

    /// A table too large to enumerate within the time budget: p null with a reason and a
    /// not_estimable warning, never a crash or an approximation.
    @Test func fisherBeyondItsBudgetIsNullWithAReason() async throws {
        let pipeline = """
            name: big
            match: ["*.csv"]
            columns:
              arm: {type: category, levels: [a, b, c, d]}
              site: {type: category, levels: [s1, s2, s3, s4, s5, s6, s7, s8, s9, s10]}
            analyses:
              - {id: d, plugin: descriptives, variables: [site], by: arm, tests: gtsummary, fisher_time_limit: 0.01}
            """
        var csv = "arm,site\n"
        // The counts of GroupTestEdgeCaseTests' large table, and one patient at a rare site (s10).
        for i in 0..<9 {
            for j in 0..<4 {
                for _ in 0..<(20 + (i * 7 + j * 13) % 60) { csv += "\(["a", "b", "c", "d"][j]),s\(i + 1)\n" }
            }
        }
        csv += "a,s10\n"
        let outcome = try await runPipeline(pipeline, csv: csv)
        let result = try #require(outcome.document.analysis("d")?["result"])
        let v = try #require(result["variables"]?.array.first)
        #expect(v["test"] == .null)
        #expect((v["test_reason"]?.string ?? "").contains("time budget"), "\(String(describing: v["test_reason"]))")
        #expect((result["warnings"]?.array ?? []).contains { $0["code"]?.string == "not_estimable" })
    }

    @Test func fisherTimeLimitMustBePositive() throws {
        let e = try #require(
            Self.error("  - {id: d, plugin: descriptives, variables: [grade], by: arm, tests: ezr, fisher_time_limit: 0}"))
        #expect(e.code == .invalidValue && e.message.contains("fisher_time_limit"))
    }

    @Test func missingNoAlsoHidesV1sMissingRows() async throws {
        let yaml = Self.pipeline + "  - {id: d, plugin: descriptives, variables: [age], missing: \"no\"}"
        let outcome = try await runPipeline(yaml, csv: Self.csv)
        let blocks = try #require(outcome.report.first { $0.id == "d" }?.blocks)
        guard case .table(let table) = try #require(blocks.first) else { return }
        #expect(!table.rows.contains { $0.count > 1 && $0[1] == .text("Missing") })
        // Without the key, v1's layout: a Missing row because one age is missing.
        let v1 = try await runPipeline(Self.pipeline + "  - {id: d, plugin: descriptives, variables: [age]}", csv: Self.csv)
        let v1Blocks = try #require(v1.report.first { $0.id == "d" }?.blocks)
        guard case .table(let v1Table) = try #require(v1Blocks.first) else { return }
        #expect(v1Table.rows.contains { $0.count > 1 && $0[1] == .text("Missing") })
    }

    /// Too many groups for the SMD's pairs: null with a reason and a warning; the tests still run.
    @Test func smdOfTooManyGroupsIsNullWithAReason() async throws {
        let levels = (1...60).map { "g\($0)" }
        let pipeline = """
            name: many
            match: ["*.csv"]
            columns:
              g: {type: category, levels: [\(levels.joined(separator: ", "))]}
              x: number
            analyses:
              - {id: d, plugin: descriptives, variables: [x], by: g, tests: gtsummary, smd: true}
            """
        var csv = "g,x\n"
        for k in 0..<600 { csv += "g\(1 + k % 60),\(Double(k % 17) + Double(k) / 1000)\n" }
        let outcome = try await runPipeline(pipeline, csv: csv)
        let result = try #require(outcome.document.analysis("d")?["result"])
        let v = try #require(result["variables"]?.array.first)
        #expect(v["smd"] == .null && (v["smd_reason"]?.string ?? "").contains("more than 50"))
        #expect(v["test"]?["name"]?.string == "kruskal" && v["test"]?["df"]?.number == 59)
        #expect((result["warnings"]?.array ?? []).contains { $0["code"]?.string == "not_estimable" && $0["what"]?.string == "smd" })
    }
}

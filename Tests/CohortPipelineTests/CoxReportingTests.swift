import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortReport
import Foundation
import Testing

/// `plugin: cox` with strata, `ph_test` and `factor_test` (issue 10): configuration errors located
/// at the offending value, and the bad inputs of the issue each a null with a reason and a
/// warning, never NaN.
@Suite struct CoxReportingTests {
    static let head = """
        name: test
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
          group: {type: category, levels: [a, b, c]}
          centre: category
          age: number
          flat: number
        survival: {time: time, event: dead}
        analyses:
          - id: cox
            plugin: cox

        """

    static func error(_ keys: String) -> ConfigurationError? {
        configurationError { _ = try LoadedPipeline(text: head + keys, file: "p.yaml", directory: "/tmp", registry: testRegistry) }
    }

    @Test func theKeysAreAccepted() throws {
        let keys = "    multivariable: [age, group]\n    strata: [centre]\n    ph_test: true\n    ph_alpha: 0.1\n    factor_test: lr\n"
        _ = try LoadedPipeline(text: Self.head + keys, file: "p.yaml", directory: "/tmp", registry: testRegistry)
    }

    @Test func aNumericStratumIsRejectedAtItsValue() throws {
        let e = try #require(Self.error("    multivariable: [group]\n    strata: [age]\n"))
        #expect(e.code == .invalidValue)
        #expect(e.line == 15 && e.column == 14)
    }

    @Test func aStratumThatIsAlsoACovariateIsRejected() throws {
        let e = try #require(Self.error("    multivariable: [group, centre]\n    strata: [centre]\n"))
        #expect(e.code == .invalidValue)
        #expect(e.message.contains("centre"))
        #expect(e.line == 15)
    }

    @Test func anUndeclaredStratumIsRejected() throws {
        let e = try #require(Self.error("    multivariable: [group]\n    strata: [center]\n"))
        #expect(e.code == .undeclaredVariable)
        #expect(e.line == 15)
    }

    @Test func aBadFactorTestIsRejectedWithTheOptions() throws {
        let e = try #require(Self.error("    multivariable: [group]\n    factor_test: score\n"))
        #expect(e.code == .invalidValue)
        #expect(e.message.contains("wald"))
        #expect(e.line == 15 && e.column == 18)
    }

    @Test func phAlphaMustBeAProbability() throws {
        let e = try #require(Self.error("    multivariable: [group]\n    ph_alpha: 5\n"))
        #expect(e.code == .invalidValue)
        #expect(e.line == 15 && e.column == 15)
        #expect(Self.error("    multivariable: [group]\n    ph_test: maybe\n") != nil)
    }

    // MARK: bad inputs

    /// 60 patients: `group` a/b/c, `centre` x/y (plus one patient alone in z), `age` varying,
    /// `flat` constant. `noEventsInC` censors every patient of level c.
    static func csv(noEventsInC: Bool = false, lonelyCentre: Bool = false, separated: Bool = false, fewEvents: Bool = false) -> String {
        var lines = ["time,dead,group,centre,age,flat"]
        for k in 0..<60 {
            let group = ["a", "b", "c"][k % 3]
            let time = separated ? Double(100 - k) : Double(1 + (k * 37) % 53)
            var dead = noEventsInC && group == "c" ? "no" : (separated ? "yes" : (k % 4 == 3 ? "no" : "yes"))
            if fewEvents { dead = k % 5 == 0 ? "yes" : "no" }
            let centre = lonelyCentre && k == 59 ? "z" : (k % 2 == 0 ? "x" : "y")
            let age = separated ? Double(k) : Double(40 + (k * 17) % 31)
            lines.append("\(time),\(dead),\(group),\(centre),\(age),5")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func run(_ keys: String, csv: String) async throws -> JSONValue {
        let outcome = try await runPipeline(head + keys, csv: csv)
        let analysis = try #require(outcome.document.analysis("cox"))
        return try #require(analysis["result"], "cox failed: \(analysis.serialized())")
    }

    static func codes(_ result: JSONValue) -> [String] { (result["warnings"]?.array ?? []).compactMap { $0["code"]?.string } }

    static func noNaN(_ result: JSONValue) {
        let text = result.serialized()
        #expect(!text.contains("NaN") && !text.contains("Infinity"))
    }

    @Test func aLevelWithoutEventsGivesNullHazardRatioWithReason() async throws {
        let result = try await Self.run("    multivariable: [age, group]\n    ph_test: true\n", csv: Self.csv(noEventsInC: true))
        let model = try #require(result["models"]?.array.first)
        let c = try #require(model["terms"]?.array.first { $0["term"]?.string == "group=c" })
        #expect(c["hr"] == .null && c["coef"] == .null && c["p"] == .null)
        #expect((c["reason"]?.string ?? "").contains("no events"))
        let b = try #require(model["terms"]?.array.first { $0["term"]?.string == "group=b" })
        #expect(b["hr"]?.number != nil)
        #expect(model["ph_test"] == .null)
        #expect(model["ph_test_reason"]?.string.map { !$0.isEmpty } == true)
        let factor = try #require(model["factor_tests"]?.array.first)
        #expect(factor["chisq"] == .null)
        #expect(factor["reason"]?.string.map { !$0.isEmpty } == true)
        #expect(Self.codes(result).contains("not_estimable"))
        Self.noNaN(result)
    }

    @Test func aStratumWithOneSubjectIsHarmless() async throws {
        let keys = "    multivariable: [age, group]\n    strata: [centre]\n    ph_test: true\n    factor_test: lr\n"
        let lonely = try await Self.run(keys, csv: Self.csv(lonelyCentre: true))
        let model = try #require(lonely["models"]?.array.first)
        #expect(model["n"]?.number == 60)
        #expect(model["strata"]?.array.compactMap(\.string) == ["centre"])
        #expect(model["ph_test"]?["global"]?["p"]?.number != nil)
        #expect(model["factor_tests"]?.array.first?["p"]?.number != nil)
        Self.noNaN(lonely)
    }

    @Test func separationGivesNullWithReasonAndAWarning() async throws {
        let result = try await Self.run("    univariable: [age]\n    ph_test: true\n", csv: Self.csv(separated: true))
        let model = try #require(result["models"]?.array.first)
        let age = try #require(model["terms"]?.array.first)
        #expect(age["hr"] == .null)
        #expect(age["reason"]?.string.map { !$0.isEmpty } == true)
        #expect(Self.codes(result).contains("not_estimable"))
        Self.noNaN(result)
    }

    @Test func aConstantCovariateIsNotEstimableWithReason() async throws {
        let result = try await Self.run("    univariable: [flat, age]\n", csv: Self.csv())
        let models = result["models"]?.array ?? []
        try #require(models.count == 2)
        #expect(models[0]["n"] == .null)
        #expect((models[0]["reason"]?.string ?? "").contains("flat"))
        #expect(models[1]["terms"]?.array.first?["hr"]?.number != nil)
        #expect(Self.codes(result).contains("not_estimable"))
        Self.noNaN(result)
    }

    @Test func fewEventsPerCoefficientAreFlagged() async throws {
        let result = try await Self.run("    multivariable: [age, group]\n", csv: Self.csv(fewEvents: true))
        let warning = try #require(result["warnings"]?.array.first { $0["code"]?.string == "few_events_per_variable" })
        #expect(warning["coefficients"]?.number == 3)
        #expect(warning["events"]?.number == 12)
    }

    @Test func phViolationsOfTheLungModelAreFlagged() async throws {
        let csv = try String(contentsOf: Repository.fixtures.appendingPathComponent("v2/lung.csv"), encoding: .utf8)
        let yaml = """
            name: lung
            match: ["*.csv"]
            columns: {time: number, event: {type: boolean, true: ["1"], false: ["0"]}, ph_karno: number, age: number}
            input: {missing: [""]}
            survival: {time: time, event: event}
            analyses:
              - {id: cox, plugin: cox, univariable: [ph_karno, age], ph_test: true}
            """
        let outcome = try await runPipeline(yaml, csv: csv)
        let result = try #require(outcome.document.analysis("cox")?["result"])
        let flagged = (result["warnings"]?.array ?? []).filter { $0["code"]?.string == "ph_violated" }
        // R: cox.zph p = 0.0082 for ph_karno, 0.56 for age.
        #expect(flagged.map { $0["term"]?.string } == ["ph_karno"])
        let blocks = outcome.report.first { $0.id == "cox" }?.blocks ?? []
        let tables = blocks.compactMap { block -> ReportTable? in
            if case .table(let t) = block { return t }
            return nil
        }
        #expect(tables.map(\.name) == ["cox_models", "cox_ph_tests"])
        // One row per variable, univariable columns only.
        #expect(tables.first?.header.count == 3)
    }
}

extension CoxReportingTests {
    /// The Cox table: univariable and multivariable HR (CI) and p side by side; a factor is a
    /// header row naming its reference level, then its levels.
    @Test func theCoxTablePutsModelsSideBySide() async throws {
        let keys = "    univariable: [age, group]\n    multivariable: [age, group]\n    factor_test: wald\n"
        let outcome = try await runPipeline(Self.head + keys, csv: Self.csv())
        let blocks = outcome.report.first { $0.id == "cox" }?.blocks ?? []
        guard case .table(let table)? = blocks.first else {
            Issue.record("no Cox table")
            return
        }
        #expect(table.header == ["Variable", "Univariable HR (95% CI)", "p", "Multivariable HR (95% CI)", "p"])
        let names = table.rows.compactMap { row -> String? in
            if case .text(let s)? = row.first { return s }
            return nil
        }
        #expect(names == ["age", "group (ref. a)", "  b", "  c"])
        #expect(table.rows.allSatisfy { $0.count == 5 })
        #expect(table.note?.contains("Factor tests: group (univariable): Wald χ²") == true)
    }
}

extension CoxReportingTests {
    /// Several strata columns form one interaction (`strata(centre, group)`): the same model as
    /// one stratum column holding the combinations.
    @Test func strataColumnsFormOneInteraction() async throws {
        let base = Self.csv().split(separator: "\n").map(String.init)
        var lines = [base[0] + ",combined"]
        for line in base.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            lines.append(line + ",\(f[3])-\(f[2])")
        }
        let csv = lines.joined(separator: "\n") + "\n"
        let head = Self.head.replacingOccurrences(of: "  flat: number\n", with: "  flat: number\n  combined: category\n")
        func run(_ strata: String) async throws -> JSONValue {
            let yaml = head + "    univariable: [age]\n    strata: \(strata)\n    ph_test: true\n"
            let outcome = try await runPipeline(yaml, csv: csv)
            return try #require(outcome.document.analysis("cox")?["result"]?["models"]?.array.first)
        }
        let two = try await run("[centre, group]")
        let one = try await run("[combined]")
        let a = try #require(two["terms"]?.array.first?["coef"]?.number)
        let b = try #require(one["terms"]?.array.first?["coef"]?.number)
        #expect(abs(a - b) <= 1e-12 * abs(b))
        let pa = try #require(two["ph_test"]?["global"]?["chisq"]?.number)
        let pb = try #require(one["ph_test"]?["global"]?["chisq"]?.number)
        #expect(abs(pa - pb) <= 1e-10 * abs(pb))
        #expect(two["concordance"]?.number == one["concordance"]?.number)
        // Not the unstratified model.
        let plain = try #require(
            try await runPipeline(head + "    univariable: [age]\n", csv: csv).document.analysis("cox")?["result"]?["models"]?.array.first)
        #expect(plain["terms"]?.array.first?["coef"]?.number != a)
    }
}

extension CoxReportingTests {
    /// When the first declared level never occurs, the reference is the first level that does
    /// (R drops unused levels), and the table says so.
    @Test func theReferenceIsTheFirstLevelPresent() async throws {
        let csv = Self.csv().replacingOccurrences(of: ",a,", with: ",b,")
        let outcome = try await runPipeline(Self.head + "    univariable: [group]\n", csv: csv)
        let result = try #require(outcome.document.analysis("cox")?["result"])
        let terms = result["models"]?.array.first?["terms"]?.array.compactMap { $0["term"]?.string }
        #expect(terms == ["group=c"])
        let blocks = outcome.report.first { $0.id == "cox" }?.blocks ?? []
        guard case .table(let table)? = blocks.first, case .text(let header)? = table.rows.first?.first else {
            Issue.record("no Cox table")
            return
        }
        #expect(header == "group (ref. b)")
    }
}

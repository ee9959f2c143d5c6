import CohortJSON
import CohortPipeline
import CohortPluginAPI
import CohortReport
import Foundation
import Testing

/// The shipped pipeline on the shipped hospital export reproduces every figure of the published
/// analysis that `pm_expected.json` (R survival + pROC on the same cohort) marks as matching.
@Suite struct PaperReproductionTests {
    struct Run {
        let outcome: RunOutcome
        let expected: [String: Any]
        /// Rendered report tables by name.
        let tables: [String: ReportTable]
    }

    static func run() async throws -> Run {
        let loaded = try LoadedPipeline(contentsOf: Repository.paperPipeline, registry: testRegistry)
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.paperExport))
        let outcome = await PipelineRunner(loaded).run(data, info: RunInfo(id: "paper", fileName: "pm_database_export.csv"))
        var tables: [String: ReportTable] = [:]
        for (_, blocks) in outcome.report {
            for case .table(let t) in blocks { tables[t.title] = t }
        }
        return Run(outcome: outcome, expected: try Repository.json(Repository.fixtures.appendingPathComponent("pm_expected.json")), tables: tables)
    }

    @Test func flowMatchesTheExportCheck() async throws {
        let run = try await Self.run()
        #expect(run.outcome.status == .ok)
        let flow = run.outcome.flow
        #expect(flow.map { $0.n ?? $0.kept } == [232, 32, 28, 24])
        #expect(flow.dropFirst().map { $0.excluded } == [200, 4, 4])
    }

    /// Tables 1 and 2: every "n (%)" and "median (range)" cell as published.
    @Test func tablesOneAndTwo() async throws {
        let run = try await Self.run()
        var rows: [(variable: String, row: String, value: String)] = []
        for title in ["Table 1. Patient characteristics", "Table 2. Surgical characteristics"] {
            let table = try #require(run.tables[title])
            var variable = ""
            for row in table.rows {
                let cells = row.map { $0.rendered(minCell: 0) }
                if !cells[0].isEmpty { variable = cells[0] }
                rows.append((variable, cells[1], cells[2]))
            }
        }
        var checked = 0
        for key in ["table1", "table2"] {
            for item in (run.expected[key] as? [[String: Any]]) ?? [] where item["match"] as? Bool == true {
                let variable = item["variable"] as? String ?? ""
                let row = (item["row"] as? String ?? "").replacing("≤", with: "-").lowercased()
                let found = rows.first { $0.variable == variable && $0.row.lowercased() == row }
                #expect(found?.value == item["published"] as? String, "\(variable) | \(row): \(found?.value ?? "missing")")
                checked += 1
            }
        }
        #expect(checked == 32)
    }

    @Test func overallSurvival() async throws {
        let run = try await Self.run()
        let result = try #require(run.outcome.document.analysis("overall")?["result"])
        let stratum = try #require(result["strata"]?.array.first)
        let median = try #require(stratum["median"])
        let at = stratum["at_times"]?.array ?? []
        let survivors = try #require(stratum["follow_up"]?["survivors"])
        func f(_ v: JSONValue?, _ d: Int, _ scale: Double = 1) -> String { Format.fixed((v?.number ?? .nan) * scale, digits: d) }
        let ours: [String: String] = [
            "median": f(median["estimate"], 1),
            "median_ci": "\(f(median["lower"], 1))–\(f(median["upper"], 1))",
            "os3": f(at.first?["survival"], 1, 100) + "%",
            "os5": f(at.last?["survival"], 1, 100) + "%",
            "fu_median": f(survivors["median"], 0),
            "fu_range": "\(f(survivors["min"], 0))–\(f(survivors["max"], 0))",
            "os3_ci": "\(f(at.first?["lower"], 1, 100))–\(f(at.first?["upper"], 1, 100))",
            "os5_ci": "\(f(at.last?["lower"], 1, 100))–\(f(at.last?["upper"], 1, 100))",
            "n_deaths": f(stratum["events"], 0),
            "n_censored": f(survivors["n"], 0),
        ]
        for item in (run.expected["overall_survival"] as? [[String: Any]]) ?? [] {
            let quantity = item["quantity"] as? String ?? ""
            let want = (item["r_value"] as? String) ?? (item["r_value"] as? NSNumber).map { "\($0)" }
            #expect(ours[quantity] == want, "\(quantity): \(ours[quantity] ?? "missing") vs R \(want ?? "")")
        }
    }

    @Test func rocCutoffs() async throws {
        let run = try await Self.run()
        let predictors = try #require(run.outcome.document.analysis("cutoffs")?["result"]?["predictors"]).array
        for item in (run.expected["roc"] as? [[String: Any]]) ?? [] {
            let column = item["column"] as? String ?? ""
            let p = try #require(predictors.first { $0["variable"]?.string == column })
            #expect(p["n_positive"]?.number == (item["n_cases"] as? Double))
            #expect(p["n_negative"]?.number == (item["n_controls"] as? Double))
            let direction = item["direction"] as? String == "<" ? "higher_is_positive" : "lower_is_positive"
            #expect(p["direction"]?.string == direction, "\(column) direction")
            let threshold = try #require(item["threshold"] as? [String: Any])
            let published = threshold["published"] as? String ?? ""
            let digits = published.split(separator: ".").dropFirst().first?.count ?? 0
            let best = try #require(p["best"]?.array.first)
            #expect(p["best"]?.array.count == 1)
            #expect(Format.fixed(best["threshold"]?.number ?? .nan, digits: digits) == published, "\(column) cut-off")
            let auc = try #require(item["auc"] as? [String: Any])
            let rAUC = try #require(auc["r_exact"] as? Double)
            #expect(abs((p["auc"]?.number ?? .nan) - rAUC) <= 1e-9 * rAUC, "\(column) AUC")
            for key in ["sensitivity", "specificity"] {
                let r = try #require(item[key] as? Double)
                #expect(abs((best[key]?.number ?? .nan) - r) <= 1e-9 * r, "\(column) \(key)")
            }
            if auc["match"] as? Bool == true {
                #expect(Format.fixed(p["auc"]?.number ?? .nan, digits: 2) == auc["published"] as? String)
            }
        }
    }

    @Test func tableThree() async throws {
        let run = try await Self.run()
        let tests = try #require(run.outcome.document.analysis("univariate")?["result"]?["tests"]).array
        let expected = (run.expected["table3"] as? [[String: Any]]) ?? []
        #expect(tests.count == expected.count)
        for (test, item) in zip(tests, expected) {
            let variable = item["variable"] as? String ?? ""
            #expect(test["error"] == .null, "\(variable) tested")
            let pValue = try #require(item["p_value"] as? [String: Any])
            let rP = try #require(pValue["r_exact"] as? Double)
            #expect(abs((test["p"]?.number ?? .nan) - rP) <= 1e-9 * rP, "\(variable) p \(test["p"]?.number ?? .nan) vs \(rP)")
            let groups = test["groups"]?.array ?? []
            let expectedGroups = (item["groups"] as? [[String: Any]]) ?? []
            #expect(groups.count == expectedGroups.count, "\(variable) groups")
            for (g, e) in zip(groups, expectedGroups) {
                let label = "\(variable) \(e["group"] ?? "")"
                #expect(g["n"]?.number == ((e["n"] as? [String: Any])?["published"] as? Double), "\(label) n")
                let at = g["at_times"]?.array.first
                let os = at.map { Format.fixed(100 * ($0["survival"]?.number ?? .nan), digits: 1) + "%" } ?? "NA"
                #expect(os == (e["os_3y"] as? [String: Any])?["published"] as? String, "\(label) 3-year OS \(os)")
                let ci: String
                if let lower = at?["lower"]?.number, let upper = at?["upper"]?.number {
                    ci = "\(Format.fixed(100 * lower, digits: 1))–\(Format.fixed(100 * upper, digits: 1))"
                } else {
                    ci = "NA"
                }
                let published = (e["ci_95"] as? [String: Any])?["published"] as? String
                if published == "NA", (e["r_summary_raw"] as? String)?.contains("lower=1.0000 upper=1.0000") == true {
                    // S = 1 at 36 months, before the group's only observation: the paper prints NA, R's
                    // summary(fit, times = 36) gives 1 and 1 (survfit0's time-0 row), and so does
                    // cohortd (results contract, version 2).
                    #expect(ci == "100.0–100.0", "\(label) CI \(ci)")
                } else {
                    #expect(ci == published, "\(label) CI \(ci)")
                }
            }
        }
    }
}

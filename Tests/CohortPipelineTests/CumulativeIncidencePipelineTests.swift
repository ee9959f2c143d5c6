import CohortConfiguration
import CohortJSON
import CohortPipeline
import Foundation
import Testing

/// `cumulative_incidence` through the real runner (analyses-v2.md, "cumulative_incidence"): the
/// edge cases of `Tests/CohortStatisticsTests/Fixtures/cmprsk` (made by `make_cmprsk_edge.R`) as
/// results.json must show them — cuminc's upper corners, timepoints with EZR's limits, Gray's
/// tests — with a declared level of `by` that has no patients and rows without `by`; and hostile
/// inputs: unknown status values, wrong `censored:`/`event:`, no `competing:` block, negative
/// times, nothing but censorings, no event of the cause, times past every follow-up.
@Suite struct CumulativeIncidencePipelineTests {
    static let cmprsk = Repository.root.appendingPathComponent("Tests/CohortStatisticsTests/Fixtures/cmprsk")
    /// The status levels in the fixtures' order: cause k is `labels[k]`.
    static let labels = ["censored", "relapse", "death", "other"]

    static var reference: [String: Any] {
        (try? Repository.json(cmprsk.appendingPathComponent("cmprsk_edge.json"))) ?? [:]
    }

    static func yaml(
        groups: [String]?, analysis: String, statusLevels: [String] = labels, censored: String = "[censored]",
        competing: Bool = true
    ) -> String {
        let groupColumn =
            groups.map { "\n  group: {type: category, levels: [\($0.joined(separator: ", "))]}" } ?? "\n  group: {type: category, levels: [all]}"
        return """
            name: cif-edge
            match: ["*.csv"]
            input: {missing: [""]}
            columns:
              time: number
              cause: number
              status: {type: category, levels: [\(statusLevels.joined(separator: ", "))]}\(groupColumn)
            \(competing ? "competing: {time: time, status: status, censored: \(censored)}" : "")
            analyses:
              - \(analysis)
            """
    }

    static func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
    static func int(_ any: Any?) -> Int? { (any as? NSNumber)?.intValue }
    static func list(_ any: Any?) -> [[String: Any]] { (any as? [[String: Any]]) ?? [] }
    static func numbers(_ any: Any?) -> [Double?] { ((any as? [Any]) ?? []).map { number($0) } }

    /// R's tolerance (1e-9 relative, 1e-12 absolute near 0); `nil` = R's NA.
    static func expectClose(_ ours: JSONValue?, _ r: Double?, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch (ours?.number, r) {
        case (nil, nil):
            #expect(ours == .null, "\(what): null, not missing", sourceLocation: sourceLocation)
        case (let a?, let w?):
            #expect(a == w || abs(a - w) <= max(1e-9 * abs(w), 1e-12), "\(what): got \(a), R gives \(w)", sourceLocation: sourceLocation)
        default:
            Issue.record("\(what): got \(String(describing: ours)), R gives \(String(describing: r))", sourceLocation: sourceLocation)
        }
    }

    /// Every object of `value` with a null (other than `reason` itself and the keys in `optional`)
    /// must carry a reason string; returns the paths that do not.
    static func nullsWithoutReason(_ value: JSONValue, path: String = "result", optional: Set<String> = ["by", "tests"]) -> [String] {
        switch value {
        case .object(let pairs):
            var bad: [String] = []
            let hasReason = pairs.contains { $0.key == "reason" && $0.value.string?.isEmpty == false }
            for (key, v) in pairs {
                if v == .null && key != "reason" && !optional.contains(key) && !hasReason { bad.append("\(path).\(key)") }
                bad += nullsWithoutReason(v, path: "\(path).\(key)", optional: [])
            }
            return bad
        case .array(let items):
            return items.enumerated().flatMap { nullsWithoutReason($1, path: "\(path)[\($0)]", optional: []) }
        default:
            return []
        }
    }

    /// results.json as written: no NaN or Infinity anywhere, and each null of the analysis has its reason.
    static func expectHygiene(_ outcome: RunOutcome, id: String = "cif", sourceLocation: SourceLocation = #_sourceLocation) {
        let text = outcome.document.serialized(indent: 2)
        #expect(!text.contains("NaN") && !text.contains("nan") && !text.contains("Infinity"), sourceLocation: sourceLocation)
        guard let result = outcome.document.analysis(id)?["result"] else {
            Issue.record("no result for \(id)", sourceLocation: sourceLocation)
            return
        }
        let bad = nullsWithoutReason(result)
        #expect(bad.isEmpty, "nulls without a reason: \(bad.prefix(10))", sourceLocation: sourceLocation)
    }

    /// The report has the analysis's table and figure, and the figure's SVG has no non-finite coordinate.
    static func expectDrawable(_ outcome: RunOutcome, id: String = "cif", sourceLocation: SourceLocation = #_sourceLocation) {
        let blocks = outcome.report.first { $0.id == id }?.blocks ?? []
        let svgs = blocks.compactMap { block -> String? in
            if case .figure(let figure) = block { return figure.svg }
            return nil
        }
        #expect(svgs.count == 1, "one figure", sourceLocation: sourceLocation)
        for svg in svgs {
            #expect(svg.hasPrefix("<svg") || svg.contains("<svg"), sourceLocation: sourceLocation)
            #expect(!svg.contains("nan") && !svg.contains("NaN") && !svg.contains("inf"), "finite coordinates", sourceLocation: sourceLocation)
        }
    }

    static func warnings(_ result: JSONValue?, _ code: String) -> [JSONValue] {
        (result?["warnings"]?.array ?? []).filter { $0["code"]?.string == code }
    }

    // MARK: - The R cases through the pipeline

    /// The R cases small enough for a pipeline run (the 10,000-patient one is checked in
    /// CumulativeIncidenceEdgeTests).
    static let cases = [
        "cif_tied_causes", "cif_tied_censoring", "cif_time_zero", "cif_single_patient", "cif_reaches_one",
        "cif_cause_in_one_group", "cif_singular", "cif_rho1", "cif_rho_half", "cif_random_3x5", "cif_large_times",
        "cif_ungrouped", "cif_strong_effect", "cif_moderate_effect", "cif_reaches_one_rho1", "cif_twelve_groups",
    ]

    @Test(arguments: cases) func resultsAreCumincs(_ name: String) async throws {
        // A declared level without patients after the others: cuminc drops it (no curve; df counts the others).
        try await Self.check(name, statusLevels: Self.labels, groupLevels: { $0 + ["zz_empty"] })
    }

    /// The same numbers whatever the declared order of the status levels (cause numbers follow
    /// it), with the empty level first (Gray's groups are renumbered), and another cause of interest.
    @Test(arguments: ["cif_random_3x5", "cif_tied_causes", "cif_singular"])
    func levelOrderAndTheCauseOfInterestDoNotChangeTheNumbers(_ name: String) async throws {
        try await Self.check(
            name, statusLevels: ["other", "death", "censored", "relapse"], groupLevels: { ["aa_empty"] + $0.reversed() },
            event: "death")
    }

    static func check(_ name: String, statusLevels: [String], groupLevels: ([String]) -> [String], event: String = "relapse") async throws {
        let entry = try #require(Self.list(Self.reference["cases"]).first { $0["name"] as? String == name }, "no case \(name)")
        let csvName = try #require(entry["csv"] as? String)
        let csv = try String(contentsOf: Self.cmprsk.appendingPathComponent(csvName), encoding: .utf8)
        let grouped = (entry["grouped"] as? Bool) ?? false
        let levels = try #require(entry["groups"] as? [String])
        let allTimes = Self.numbers(entry["times"]).compactMap { $0 }
        // The plugin takes times ≥ 0 only (a negative time is a configuration error).
        let kept = allTimes.indices.filter { allTimes[$0] >= 0 }
        let times = kept.map { allTimes[$0] }
        let rho = Self.number(entry["rho"]) ?? 0
        var analysis = "{id: cif, plugin: cumulative_incidence, event: \(event), times: [\(times.map { "\($0)" }.joined(separator: ", "))]"
        if grouped { analysis += ", by: group" }
        if rho != 0 { analysis += ", rho: \(rho)" }
        analysis += "}"
        let outcome = try await runPipeline(
            Self.yaml(groups: grouped ? groupLevels(levels) : nil, analysis: analysis, statusLevels: statusLevels), csv: csv)
        let analysisEntry = try #require(outcome.document.analysis("cif"))
        #expect(analysisEntry["status"]?.string == "ok", "\(name): \(analysisEntry["error"] ?? .null)")
        let result = try #require(analysisEntry["result"])
        Self.expectHygiene(outcome)
        Self.expectDrawable(outcome)

        // The rows, for counts that do not come from R.
        let rows = csv.split(whereSeparator: \.isNewline).dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let byMissing = grouped ? rows.filter { $0[3].isEmpty }.count : 0
        #expect(result["by_missing"]?.number == Double(byMissing), "\(name) by_missing")
        #expect(result["n_used"]?.number == Double(rows.count - byMissing), "\(name) n_used")

        let rCurves = Self.list(entry["curves"])
        let curves = result["curves"]?.array ?? []
        #expect(curves.count == rCurves.count, "\(name): one curve per group with patients and cause with events")
        #expect(!curves.contains { $0["group"]?.string?.hasSuffix("_empty") == true })
        var past = Set<String>()
        for rc in rCurves {
            let group = try #require(rc["group"] as? String)
            let cause = try #require(Self.int(rc["cause"]))
            let label = Self.labels[cause]
            let what = "\(name) \(group) \(label)"
            let curve = try #require(curves.first { $0["group"]?.string == group && $0["cause"]?.string == label }, "\(what): no curve")
            let inGroup = rows.filter { !grouped || $0[3] == group }
            #expect(curve["n"]?.number == Double(inGroup.count), "\(what) n")
            #expect(curve["events"]?.number == Double(inGroup.filter { $0[1] == "\(cause)" }.count), "\(what) events")
            // table: cuminc's upper corners, elements 3, 5, … of its vectors.
            let (rt, re, rv) = (Self.numbers(rc["time"]), Self.numbers(rc["est"]), Self.numbers(rc["var"]))
            let table = curve["table"]?.array ?? []
            #expect(table.count == (rt.count - 2) / 2, "\(what): \(table.count) jumps, cuminc has \((rt.count - 2) / 2)")
            for (k, row) in table.enumerated() where 2 + 2 * k < rt.count {
                Self.expectClose(row["time"], rt[2 + 2 * k], "\(what) table[\(k)].time")
                Self.expectClose(row["estimate"], re[2 + 2 * k], "\(what) table[\(k)].estimate")
                Self.expectClose(row["variance"], rv[2 + 2 * k], "\(what) table[\(k)].variance")
            }
            // at_times: timepoints() and EZR's limits; every null with its reason.
            let (ae, av) = (Self.numbers(rc["at_est"]), Self.numbers(rc["at_var"]))
            let (al, au) = (Self.numbers(rc["at_lower"]), Self.numbers(rc["at_upper"]))
            let at = curve["at_times"]?.array ?? []
            #expect(at.count == times.count, "\(what) at_times")
            for (j, k) in kept.enumerated() where j < at.count {
                let point = at[j]
                let w = "\(what) at \(allTimes[k])"
                Self.expectClose(point["time"], allTimes[k], "\(w) time")
                Self.expectClose(point["estimate"], ae[k], "\(w) estimate")
                Self.expectClose(point["variance"], av[k], "\(w) variance")
                Self.expectClose(point["lower"], al[k], "\(w) lower")
                Self.expectClose(point["upper"], au[k], "\(w) upper")
                if ae[k] == nil {
                    #expect(point["reason"]?.string?.contains("past the last follow-up") == true, "\(w) reason")
                    past.insert("\(group)@\(allTimes[k])")
                } else if al[k] == nil {
                    #expect(point["reason"]?.string?.isEmpty == false, "\(w): no limits, with a reason")
                } else {
                    #expect(point["reason"] == .null, "\(w) reason")
                }
            }
        }
        // past_follow_up: one per group and time past its last observation.
        let warned = Set(
            Self.warnings(result, "past_follow_up").map { "\($0["group"]?.string ?? "?")@\($0["time"]?.number ?? .nan)" })
        #expect(warned == past, "\(name) past_follow_up")

        // Gray's tests: cuminc's `Tests`; its stat −1 (singular) is null with a reason and not_estimable.
        let rTests = Self.list(entry["tests"])
        if !grouped {
            #expect(result["tests"] == .null && rTests.isEmpty)
            return
        }
        let tests = result["tests"]?.array ?? []
        #expect(tests.count == rTests.count, "\(name): one test per cause")
        for rt in rTests {
            let cause = try #require(Self.int(rt["cause"]))
            let label = Self.labels[cause]
            let test = try #require(tests.first { $0["cause"]?.string == label }, "\(name): no test of \(label)")
            #expect(test["df"]?.number == Self.number(rt["df"]), "\(name) \(label) df")
            if Self.number(rt["stat"]) == -1 {
                #expect(test["statistic"] == .null && test["p"] == .null && test["reason"]?.string?.isEmpty == false)
                #expect(
                    Self.warnings(result, "not_estimable").contains { $0["what"]?.string?.contains(label) == true },
                    "\(name) \(label): not_estimable")
            } else {
                Self.expectClose(test["statistic"], Self.number(rt["stat"]), "\(name) \(label) statistic")
                Self.expectClose(test["p"], Self.number(rt["pv"]), "\(name) \(label) p")
                #expect(test["reason"] == .null)
            }
        }
    }

    // MARK: - Hostile inputs

    static let smallCSV = """
        time,cause,status,group
        1,1,relapse,a
        2,2,death,a
        3,0,censored,a
        4,1,relapse,b
        5,0,censored,b
        6,2,death,b
        7,1,relapse,b

        """

    static let plain = "{id: cif, plugin: cumulative_incidence, event: relapse, by: group, times: [2, 5]}"

    @Test func aStatusValueNotAmongTheLevelsFailsTheFileWithItsLocation() async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: "5,0,censored,b", with: "5,0,relapsed,b")
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        #expect(outcome.status == .failed)
        let failure = try #require(outcome.failure)
        #expect(failure.code == .badValue)
        #expect(failure.line == 6 && failure.column == "status", "\(failure)")
        let named = failure.message.contains("relapsed") || failure.problems.contains { $0.value == "relapsed" && $0.line == 6 }
        #expect(named, "the error names the value: \(failure)")
        #expect(outcome.document["error"]?["line"]?.number == 6)
        #expect(outcome.document["error"]?["column"]?.string == "status")
    }

    @Test func aCensoredLevelThatDoesNotExistIsALocatedConfigurationError() {
        let error = configurationError {
            _ = try LoadedPipeline(
                text: Self.yaml(groups: ["a", "b"], analysis: Self.plain, censored: "[censord]"), file: "c.yaml", directory: "/tmp",
                registry: testRegistry)
        }
        #expect(error?.message.contains("censord") == true, "\(String(describing: error))")
        #expect(error?.line == 9, "\(String(describing: error))")
    }

    @Test(arguments: [("censored", "censored level"), ("relapsing", "not an event type"), ("group", "not an event type")])
    func anEventThatIsCensoredOrNotALevelIsALocatedConfigurationError(_ event: String, _ text: String) {
        let analysis = "{id: cif, plugin: cumulative_incidence, event: \(event), by: group}"
        let error = configurationError {
            _ = try LoadedPipeline(
                text: Self.yaml(groups: ["a", "b"], analysis: analysis), file: "c.yaml", directory: "/tmp", registry: testRegistry)
        }
        #expect(error?.message.contains(text) == true, "\(event): \(String(describing: error))")
        #expect(error?.line == 11, "\(event): \(String(describing: error))")
    }

    @Test func withoutACompetingBlockTheAnalysisIsALocatedConfigurationError() {
        let error = configurationError {
            _ = try LoadedPipeline(
                text: Self.yaml(groups: ["a", "b"], analysis: Self.plain, competing: false), file: "c.yaml", directory: "/tmp",
                registry: testRegistry)
        }
        #expect(error?.message.contains("competing") == true, "\(String(describing: error))")
        #expect(error?.line == 11, "\(String(describing: error))")
    }

    @Test func aNegativeTimeIsAnErrorNamingItsRow() async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: "6,2,death,b", with: "-6,2,death,b")
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let entry = try #require(outcome.document.analysis("cif"))
        #expect(entry["status"]?.string == "error")
        let message = entry["error"]?.string ?? ""
        // Row 6 of the cohort (line 7 of the file), the time and status columns named.
        #expect(message.contains("row 6 of the cohort") && message.contains("'time'"), "\(message)")
        #expect(outcome.analysisErrors.first?.error.code.name == "invalid_time")
    }

    @Test func allCensoredGivesZeroCurvesAndNullTestsWithReasons() async throws {
        let csv = "time,cause,status,group\n1,0,censored,a\n2,0,censored,a\n3,0,censored,b\n4,0,censored,b\n"
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let entry = try #require(outcome.document.analysis("cif"))
        #expect(entry["status"]?.string == "ok", "\(entry["error"] ?? .null)")
        let result = try #require(entry["result"])
        Self.expectHygiene(outcome)
        Self.expectDrawable(outcome)
        #expect(result["causes"]?.array.compactMap(\.string) == ["relapse"])
        for curve in result["curves"]?.array ?? [] {
            #expect(curve["events"]?.number == 0 && curve["table"]?.array.isEmpty == true)
            for point in curve["at_times"]?.array ?? [] where point["estimate"] != .null {
                #expect(point["estimate"]?.number == 0 && point["lower"] == .null && point["reason"]?.string != nil)
            }
        }
        let test = try #require(result["tests"]?.array.first)
        #expect(test["statistic"] == .null && test["p"] == .null && test["reason"]?.string?.isEmpty == false)
        #expect(!Self.warnings(result, "not_estimable").isEmpty)
    }

    @Test func theCauseOfInterestWithoutEventsHasANullTestWithAReason() async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: ",1,relapse,", with: ",2,death,")
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let entry = try #require(outcome.document.analysis("cif"))
        #expect(entry["status"]?.string == "ok", "\(entry["error"] ?? .null)")
        let result = try #require(entry["result"])
        Self.expectHygiene(outcome)
        Self.expectDrawable(outcome)
        let tests = result["tests"]?.array ?? []
        let relapse = try #require(tests.first { $0["cause"]?.string == "relapse" })
        #expect(relapse["statistic"] == .null && relapse["p"] == .null && relapse["reason"]?.string?.contains("no event") == true)
        let death = try #require(tests.first { $0["cause"]?.string == "death" })
        #expect(death["statistic"]?.number != nil && death["p"]?.number != nil)
        let notEstimable = Self.warnings(result, "not_estimable")
        #expect(notEstimable.count == 1 && notEstimable[0]["what"]?.string?.contains("relapse") == true)
        // Its curves are 0 everywhere within follow-up.
        for curve in (result["curves"]?.array ?? []) where curve["cause"]?.string == "relapse" {
            #expect(curve["table"]?.array.isEmpty == true)
        }
    }

    @Test func timesPastEveryFollowUpAreNullWithPastFollowUpWarnings() async throws {
        let analysis = "{id: cif, plugin: cumulative_incidence, event: relapse, by: group, times: [3, 7, 100]}"
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: analysis), csv: Self.smallCSV)
        let result = try #require(outcome.document.analysis("cif")?["result"])
        Self.expectHygiene(outcome)
        // a is followed to 3, b to 7: 7 is past a's follow-up, 100 past both.
        for curve in result["curves"]?.array ?? [] {
            let last = curve["group"]?.string == "a" ? 3.0 : 7.0
            for point in curve["at_times"]?.array ?? [] {
                let t = point["time"]?.number ?? 0
                #expect((point["estimate"] == .null) == (t > last), "\(curve["group"] ?? .null) at \(t)")
                if t > last { #expect(point["variance"] == .null && point["reason"]?.string?.contains("past") == true) }
            }
        }
        let past = Self.warnings(result, "past_follow_up").map { "\($0["group"]?.string ?? "")@\($0["time"]?.number ?? 0)" }
        #expect(Set(past) == ["a@7.0", "a@100.0", "b@100.0"], "\(past)")
        #expect(past.count == 3, "one warning per group and time, not per cause")
    }

    @Test func anEmptyLevelAndMissingGroupsAreLeftOutAndCounted() async throws {
        let csv = Self.smallCSV + "8,1,relapse,\n9,2,death,\n"
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "empty", "b"], analysis: Self.plain), csv: csv)
        let entry = try #require(outcome.document.analysis("cif"))
        #expect(entry["status"]?.string == "ok", "\(entry["error"] ?? .null)")
        let result = try #require(entry["result"])
        Self.expectHygiene(outcome)
        #expect(result["by_missing"]?.number == 2 && result["n_used"]?.number == 7)
        let groups = Set((result["curves"]?.array ?? []).compactMap { $0["group"]?.string })
        #expect(groups == ["a", "b"])
        // df = groups with patients − 1.
        for test in result["tests"]?.array ?? [] { #expect(test["df"]?.number == 1) }
        // The rows without a group are not in any curve.
        let n = (result["curves"]?.array ?? []).filter { $0["cause"]?.string == "relapse" }.compactMap { $0["n"]?.number }
        #expect(n.reduce(0, +) == 7)
    }

    /// Several censored levels are one code, as cmprsk's `cencode`: the same numbers as with one.
    @Test func severalCensoredLevelsActAsOne() async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: "5,0,censored,b", with: "5,0,lost,b")
        let levels = ["censored", "relapse", "death", "lost"]
        let two = try await runPipeline(
            Self.yaml(groups: ["a", "b"], analysis: Self.plain, statusLevels: levels, censored: "[censored, lost]"), csv: csv)
        let one = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: Self.smallCSV)
        let a = try #require(two.document.analysis("cif")?["result"])
        let b = try #require(one.document.analysis("cif")?["result"])
        #expect(a["curves"] == b["curves"] && a["tests"] == b["tests"])
        #expect(a["causes"]?.array.compactMap(\.string) == ["relapse", "death"])
    }

    @Test func rowsWithoutTimeOrStatusAreExcludedAndCounted() async throws {
        let csv = Self.smallCSV + ",1,relapse,a\n8,,,b\n"
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let result = try #require(outcome.document.analysis("cif")?["result"])
        #expect(result["excluded"]?.number == 2 && result["n_used"]?.number == 7)
        let reference = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: Self.smallCSV)
        #expect(result["curves"] == reference.document.analysis("cif")?["result"]?["curves"])
    }

    /// cuminc reports no Tests with one group; ours are null with a reason, df 0, and not_estimable.
    @Test func oneGroupWithPatientsHasNullTestsWithReasons() async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: ",b\n", with: ",a\n")
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let result = try #require(outcome.document.analysis("cif")?["result"])
        Self.expectHygiene(outcome)
        let tests = result["tests"]?.array ?? []
        #expect(tests.count == 2)
        for test in tests {
            #expect(test["statistic"] == .null && test["p"] == .null && test["df"]?.number == 0)
            #expect(test["reason"]?.string?.contains("fewer than two groups") == true)
        }
        #expect(Self.warnings(result, "not_estimable").count == 2)
    }

    @Test(arguments: ["inf", "NaN", "1e400"]) func aNonFiniteTimeFailsTheFileWithItsLocation(_ value: String) async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: "6,2,death,b", with: "\(value),2,death,b")
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        #expect(outcome.status == .failed)
        let failure = try #require(outcome.failure)
        #expect(failure.code == .badValue && failure.line == 7 && failure.column == "time", "\(failure)")
    }

    /// Every row without a group: nothing to estimate, but a result without NaN, each null with its reason.
    @Test func noAnalysedPatientGivesAnEmptyResultWithReasons() async throws {
        let csv = "time,cause,status,group\n1,1,relapse,\n2,2,death,\n"
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let entry = try #require(outcome.document.analysis("cif"))
        #expect(entry["status"]?.string == "ok", "\(entry["error"] ?? .null)")
        let result = try #require(entry["result"])
        Self.expectHygiene(outcome)
        #expect(result["n_used"]?.number == 0 && result["by_missing"]?.number == 2)
        #expect(result["curves"]?.array.isEmpty == true)
        for test in result["tests"]?.array ?? [] { #expect(test["statistic"] == .null && test["reason"]?.string != nil) }
    }

    /// GrayTest sets df = (groups with patients) − 1 before it checks that there are two: with no
    /// analysed patient results.json says df −1 (cuminc has no such case: it fails on empty data).
    @Test
    func noAnalysedPatientHasNoNegativeDegreesOfFreedom() async throws {
        let csv = "time,cause,status,group\n1,1,relapse,\n2,2,death,\n"
        let outcome = try await runPipeline(Self.yaml(groups: ["a", "b"], analysis: Self.plain), csv: csv)
        let tests = outcome.document.analysis("cif")?["result"]?["tests"]?.array ?? []
        #expect(!tests.isEmpty)
        for test in tests { #expect((test["df"]?.number ?? 0) >= 0, "df \(test["df"] ?? .null)") }
    }

    @Test func anUnknownStatusValueWithOnErrorMissingIsExcluded() async throws {
        let csv = Self.smallCSV.replacingOccurrences(of: "5,0,censored,b", with: "5,0,relapsed,b")
        let yaml = Self.yaml(groups: ["a", "b"], analysis: Self.plain).replacingOccurrences(
            of: "input: {missing: [\"\"]}", with: "input: {missing: [\"\"], on_error: missing}")
        let outcome = try await runPipeline(yaml, csv: csv)
        let result = try #require(outcome.document.analysis("cif")?["result"])
        #expect(result["excluded"]?.number == 1 && result["n_used"]?.number == 6)
        Self.expectHygiene(outcome)
    }
}

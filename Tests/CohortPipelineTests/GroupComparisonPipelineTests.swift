import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortReport
import CohortStatistics
import Testing

/// Issue 10's log-rank (`strata`, `pairwise`, `trend`) and ROC (`compare`) keys through the
/// pipeline: located configuration errors, and the bad inputs that give a null with a reason
/// and a warning instead of NaN.
@Suite struct GroupComparisonPipelineTests {
    static let header = """
        name: groups
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
          group: {type: category, levels: [A, B, C]}
          sex: {type: category, levels: [male, female]}
          one: {type: category, levels: [only]}
          centre: {type: category, levels: [north, south, east]}
          age: number
          size: number
          trio: {type: category, levels: [X, Y, Z]}
          ward: category
        survival: {time: time, event: dead}
        analyses:
        """

    /// 30 patients; group C has no events, centre `east` has one patient, `one` has one level;
    /// `trio` puts every death in X, so neither Y nor Z has an event; `ward` (levels from the
    /// data) has one value.
    static let csv: String = {
        var lines = ["time,dead,group,sex,one,centre,age,size,trio,ward"]
        for k in 0..<30 {
            let group = ["A", "B", "C"][k % 3]
            let dead = group != "C" && k % 4 != 1
            let time = 2 + (k * 7) % 37
            let centre = k == 0 ? "east" : (k % 2 == 0 ? "north" : "south")
            let age = 40 + (k * 11) % 35
            let size = k % 5 == 0 ? "" : "\(10 + (k * 13) % 29)"
            let trio = dead ? "X" : (k % 2 == 0 ? "Y" : "Z")
            lines.append("\(time),\(dead ? "yes" : "no"),\(group),\(k % 2 == 0 ? "male" : "female"),only,\(centre),\(age),\(size),\(trio),w1")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static func error(_ analyses: String) -> ConfigurationError? {
        configurationError {
            _ = try LoadedPipeline(text: header + "\n" + analyses, file: "p.yaml", directory: "/tmp", registry: testRegistry)
        }
    }

    static func run(_ analyses: String, profile: String? = nil) async throws -> RunOutcome {
        let yaml = (profile.map { "profile: \($0)\n" } ?? "") + header + "\n" + analyses
        return try await runPipeline(yaml, csv: csv)
    }

    static func warnings(_ result: JSONValue?, code: String) -> [JSONValue] {
        (result?["warnings"]?.array ?? []).filter { $0["code"]?.string == code }
    }

    // MARK: configuration errors

    @Test func strataMustBeDeclaredCategoricalOnceAndNotAGrouping() throws {
        let unknown = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group], strata: [centr]}"))
        #expect(unknown.code == .undeclaredVariable && unknown.path == "analyses[0].strata[0]")
        #expect(unknown.message.contains("did you mean 'centre'"))
        let numeric = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group], strata: [age]}"))
        #expect(numeric.code == .invalidValue && numeric.path == "analyses[0].strata[0]")
        let twice = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group], strata: [centre, centre]}"))
        #expect(twice.path == "analyses[0].strata[1]" && twice.message.contains("twice"))
        let itself = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group, sex], strata: [sex]}"))
        #expect(itself.path == "analyses[0].strata[0]" && itself.message.contains("both a grouping and a stratum"))
    }

    @Test func pairwiseAndTrendTakeTheirValuesOnly() throws {
        let method = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group], pairwise: tukey}"))
        #expect(method.path == "analyses[0].pairwise")
        let trend = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group], trend: sometimes}"))
        #expect(trend.path == "analyses[0].trend")
    }

    @Test func comparisonsNamePairsOfDistinctPredictors() throws {
        let roc = "  - {id: roc, plugin: roc_cutoff, outcome: {event_within: 20}, predictors: [age, size], compare: "
        let outside = try #require(Self.error(roc + "[[age, time]]}"))
        #expect(outside.path == "analyses[0].compare[0][1]" && outside.message.contains("not among the predictors"))
        let same = try #require(Self.error(roc + "[[age, age]]}"))
        #expect(same.path == "analyses[0].compare[0][1]" && same.message.contains("itself"))
        let repeated = try #require(Self.error(roc + "[[age, size], [size, age]]}"))
        #expect(repeated.path == "analyses[0].compare[1]" && repeated.message.contains("twice"))
        let single = try #require(Self.error(roc + "[[age]]}"))
        #expect(single.path == "analyses[0].compare[0]")
    }

    // MARK: bad inputs at run time

    @Test func aGroupingWithOneDeclaredLevelIsAConfigurationError() throws {
        let e = try #require(Self.error("  - {id: lr, plugin: logrank, groups: [group, one]}"))
        #expect(e.path == "analyses[0].groups[1]" && e.message.contains("1 level"))
    }

    @Test func aGroupingWithOneLevelInTheDataIsNullWithAReasonAndAWarning() async throws {
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [ward, group], pairwise: holm}")
        let result = try #require(outcome.document.analysis("lr")?["result"])
        let tests = result["tests"]?.array ?? []
        let one = try #require(tests.first { $0["variable"]?.string == "ward" })
        #expect(one["chisq"] == .null && one["p"] == .null)
        #expect(one["reason"]?.string?.isEmpty == false)
        let warned = Self.warnings(result, code: "not_estimable")
        #expect(warned.contains { $0["what"]?.string == "log-rank test ward" })
        // The other grouping is still tested.
        let group = try #require(tests.first { $0["variable"]?.string == "group" })
        #expect(group["p"]?.number != nil)
        #expect(!outcome.document.serialized().contains("NaN"))
    }

    @Test func trendOnTwoLevelsIsNotApplicableAndOnThreeIsTested() async throws {
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [sex, group], trend: true}")
        let result = try #require(outcome.document.analysis("lr")?["result"])
        let tests = result["tests"]?.array ?? []
        let sex = try #require(tests.first { $0["variable"]?.string == "sex" })
        #expect(sex["trend"] == .null)
        #expect(sex["trend_reason"]?.string?.contains("not applicable") == true)
        let group = try #require(tests.first { $0["variable"]?.string == "group" })
        #expect(group["trend"]?["df"]?.number == 1)
        #expect((group["trend"]?["chisq"]?.number ?? -1) >= 0)
        #expect(group["pairwise"] == .null)
        #expect(Self.warnings(result, code: "not_estimable").isEmpty)
    }

    @Test func aTimePastAGroupsFollowUpIsWarned() async throws {
        // Follow-up ends at 38; 30 is within every group's, 1000 past all of them.
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [sex], times: [30, 1000]}")
        let result = try #require(outcome.document.analysis("lr")?["result"])
        let past = Self.warnings(result, code: "past_follow_up")
        #expect(past.count == 2)
        #expect(past.allSatisfy { $0["time"]?.number == 1000 })
        #expect(Set(past.compactMap { $0["group"]?.string }) == ["male", "female"])
        let groups = result["tests"]?.array.first?["groups"]?.array ?? []
        #expect(groups.allSatisfy { ($0["at_times"]?.array.count ?? 0) == 1 })
    }

    @Test func aStratumWithOneSubjectAndAGroupWithoutEventsStillGiveNumbers() async throws {
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [group], strata: [centre], pairwise: BH, trend: true}")
        let result = try #require(outcome.document.analysis("lr")?["result"])
        let test = try #require(result["tests"]?.array.first)
        #expect(test["strata"]?.array.compactMap(\.string) == ["centre"])
        #expect(test["strata_count"]?.number == 3)
        #expect(test["chisq"]?.number?.isFinite == true)
        let pairs = test["pairwise"]?["pairs"]?.array ?? []
        #expect(pairs.count == 3)
        // Group C has no events but is at risk, so its pairs are tests (as survdiff), not nulls.
        for pair in pairs { #expect(pair["p"]?.number != nil && pair["p_adjusted"]?.number != nil) }
        let raw = pairs.map { $0["p"]?.number }
        let adjusted = PValueAdjustment.benjaminiHochberg.adjust(raw)
        #expect(pairs.map { $0["p_adjusted"]?.number } == adjusted)
    }

    @Test func aPairWithoutAnyEventIsNullWithAReasonAndCountsInTheAdjustment() async throws {
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [trio], pairwise: bonferroni}")
        let result = try #require(outcome.document.analysis("lr")?["result"])
        let pairs = result["tests"]?.array.first?["pairwise"]?["pairs"]?.array ?? []
        #expect(pairs.count == 3)
        let empty = try #require(pairs.first { $0["a"]?.string == "Y" && $0["b"]?.string == "Z" })
        #expect(empty["chisq"] == .null && empty["p"] == .null && empty["p_adjusted"] == .null)
        #expect(empty["reason"]?.string?.isEmpty == false)
        #expect(Self.warnings(result, code: "not_estimable").contains { $0["what"]?.string == "pairwise log-rank test Y vs Z trio" })
        // The other two pairs are adjusted with n = 3, the null pair included.
        let tested = pairs.filter { $0["p"]?.number != nil }
        #expect(tested.count == 2)
        for pair in tested { #expect(pair["p_adjusted"]?.number == min(1, 3 * (pair["p"]?.number ?? 0))) }
        #expect(!outcome.document.serialized().contains("NaN"))
    }

    @Test func ezrRoundsTheRawPToThreeDigitsBeforeAdjusting() async throws {
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [group], pairwise: holm}", profile: "ezr")
        let pairwise = try #require(outcome.document.analysis("lr")?["result"]?["tests"]?.array.first?["pairwise"])
        #expect(pairwise["rounded"] == .bool(true))
        let pairs = pairwise["pairs"]?.array ?? []
        let rounded = pairs.map { $0["p"]?.number.map { significantDigits($0, 3) } }
        #expect(pairs.map { $0["p_adjusted"]?.number } == PValueAdjustment.holm.adjust(rounded))
    }

    @Test func thePairwiseMatrixIsLowerTriangular() async throws {
        let outcome = try await Self.run("  - {id: lr, plugin: logrank, groups: [group, sex], pairwise: holm, trend: true}")
        let blocks = outcome.report.first { $0.id == "lr" }?.blocks ?? []
        let tables = blocks.compactMap { block -> ReportTable? in
            if case .table(let t) = block { return t }
            return nil
        }
        let matrix = try #require(tables.first { $0.name == "logrank_pairwise_group" })
        #expect(matrix.header == ["group", "A", "B"])
        #expect(matrix.rows.count == 2)
        #expect(matrix.rows.first?.first?.rendered(minCell: 0) == "B" && matrix.rows.last?.first?.rendered(minCell: 0) == "C")
        #expect(matrix.rows.first?.last?.rendered(minCell: 0) == "")
        #expect(matrix.rows.allSatisfy { $0.count == 3 })
        #expect(matrix.note?.contains("Holm") == true)
        // A 2-level grouping has no matrix; the main table has a p for trend column.
        #expect(!tables.contains { $0.name == "logrank_pairwise_sex" })
        #expect(tables.first { $0.name == "table3_univariate" }?.header.last == "p for trend")
    }

    @Test func rocComparisonsWarnAboutCensoringAndCannotCompareWithoutCases() async throws {
        let outcome = try await Self.run(
            "  - {id: roc, plugin: roc_cutoff, outcome: {event_within: 20}, predictors: [age, size], compare: [[age, size]]}")
        let result = try #require(outcome.document.analysis("roc")?["result"])
        let comparison = try #require(result["comparisons"]?.array.first)
        #expect(comparison["method"]?.string == "delong_paired")
        #expect(comparison["a"]?.string == "age" && comparison["b"]?.string == "size")
        let censored = try #require(Self.warnings(result, code: "roc_excluded_censored").first)
        #expect(censored["excluded"]?.number == result["excluded_censored"]?.number)
        #expect((censored["excluded"]?.number ?? 0) > 0)
        if let auc = comparison["auc_a"]?.number, let other = comparison["auc_b"]?.number {
            #expect(comparison["difference"]?.number == auc - other)
        }
        // A horizon before every event: no cases, so no curve and no comparison — nulls with reasons.
        let early = try await Self.run(
            "  - {id: roc, plugin: roc_cutoff, outcome: {event_within: 1}, predictors: [age, size], compare: [[age, size]]}")
        let none = try #require(early.document.analysis("roc")?["result"])
        let c = try #require(none["comparisons"]?.array.first)
        #expect(c["z"] == .null && c["p"] == .null && c["reason"]?.string?.isEmpty == false)
        #expect(Self.warnings(none, code: "not_estimable").count == 3)
    }
}

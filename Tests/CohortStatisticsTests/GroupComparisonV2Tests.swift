import CohortStatistics
import Foundation
import Testing

/// The version-2 group comparisons against R (`Fixtures/group_tests_v2.R`): `p.adjust`,
/// `signif`, stratified / pairwise / trend log-rank tests and the paired DeLong test.
@Suite struct GroupComparisonV2Tests {
    static var reference: [String: Any] { (try? Fixture.json("group_tests_v2.json")) ?? [:] }

    static func doubles(_ value: Any?) -> [Double?] {
        ((value as? [Any]) ?? []).map { ($0 as? NSNumber)?.doubleValue }
    }

    @Test(arguments: PValueAdjustment.allCases.filter { $0 != .none })
    func pAdjustAgreesWithR(_ method: PValueAdjustment) throws {
        let entry = try #require(Self.reference[list: "adjust"].first { $0["method"] as? String == method.rawValue })
        let p = Self.doubles(entry["p"])
        let want = Self.doubles(entry["adjusted"])
        let got = method.adjust(p, n: p.count)
        #expect(got.count == want.count)
        for (k, (g, w)) in zip(got, want).enumerated() { expectClose(g, w.map { NSNumber(value: $0) }, "\(method) \(k)") }
        // A nil p stays nil and is not ranked; without n the family is all the entries.
        #expect(got[4] == nil)
        #expect(PValueAdjustment.none.adjust(p) == p)
    }

    @Test func signifIsRsToTheLastBit() throws {
        let entry = Self.reference[dict: "signif3"]
        // The "%.17g" strings: the JSON numbers carry only 15 significant digits.
        let x = ((entry["x_bits"] as? [String]) ?? []).compactMap(Double.init)
        let rounded = ((entry["rounded_bits"] as? [String]) ?? []).compactMap(Double.init)
        #expect(x.count == rounded.count && !x.isEmpty)
        for (value, want) in zip(x, rounded) { #expect(significantDigits(value, 3) == want, "signif(\(value), 3)") }
        #expect(significantDigits(0, 3) == 0)
        #expect(significantDigits(-0.0012345, 3) == -0.00123)
    }

    /// The fixture's data as survival data, group codes and the strata of `columns`.
    static func logRankData(strata columns: [String]) throws -> (SurvivalData, SurvivalData.GroupAssignment, SurvivalData.GroupAssignment?) {
        let data = Self.reference[dict: "logrank"][dict: "data"]
        let time = Self.doubles(data["time"]).map { $0 ?? .nan }
        let event = Self.doubles(data["event"]).map { $0 ?? .nan }
        let levels = (data["levels"] as? [String]) ?? []
        let group = ((data["group"] as? [String]) ?? []).map { Int32(levels.firstIndex(of: $0) ?? -1) }
        let survival = try SurvivalData(time: time, event: event)
        let groups = try survival.assign(group, count: levels.count)
        guard !columns.isEmpty else { return (survival, groups, nil) }
        var keys = [String](repeating: "", count: time.count)
        for column in columns {
            for (i, v) in ((data[column] as? [String]) ?? []).enumerated() where i < keys.count { keys[i] += v + "." }
        }
        let distinct = Array(Set(keys)).sorted()
        let codes = keys.map { Int32(distinct.firstIndex(of: $0) ?? -1) }
        return (survival, groups, try survival.assign(codes, count: distinct.count))
    }

    @Test(arguments: 0..<3)
    func stratifiedPairwiseAndTrendLogRankAgreeWithR(_ index: Int) throws {
        let cases = Self.reference[dict: "logrank"][list: "cases"]
        let ref = try #require(index < cases.count ? cases[index] : nil)
        let columns = (ref["strata"] as? [String]) ?? []
        let rho = try #require((ref["rho"] as? NSNumber)?.doubleValue)
        let (data, groups, strata) = try Self.logRankData(strata: columns)
        let label = "strata \(columns) rho \(rho)"
        let test = try LogRankTest(data, groups: groups, strata: strata, rho: rho)
        expectClose(test.chiSquare, ref["chisq"], "\(label) chisq")
        expectClose(test.p, ref["p"], "\(label) p")
        let observed = Self.doubles(ref["observed"])
        let expected = Self.doubles(ref["expected"])
        for g in 0..<4 {
            expectClose(test.groups[g].observed, observed[g].map { NSNumber(value: $0) }, "\(label) O \(g)")
            expectClose(test.groups[g].expected, expected[g].map { NSNumber(value: $0) }, "\(label) E \(g)")
        }
        // Group D has no events: its pairs are still tests, as R's survdiff computes them.
        #expect(test.groups[3].events == 0)
        let adjust = try #require(PValueAdjustment(rawValue: ref["adjust"] as? String ?? ""))
        let ezr = (ref["ezr"] as? Bool) ?? false
        let pairwise = try LogRankPairwise(data, groups: groups, strata: strata, rho: rho, adjustment: adjust, roundingToThreeDigits: ezr)
        let pairs = ref[list: "pairs"]
        #expect(pairwise.pairs.count == pairs.count)
        let names = ["A", "B", "C", "D"]
        for (got, want) in zip(pairwise.pairs, pairs) {
            let pair = "\(label) \(names[got.a])-\(names[got.b])"
            #expect(names[got.a] == want["a"] as? String && names[got.b] == want["b"] as? String, "\(pair) order")
            expectClose(got.chiSquare, want["chisq"], "\(pair) chisq")
            expectClose(got.p, want["p"], "\(pair) p")
            expectClose(got.pAdjusted, want["p_adjusted"], "\(pair) p_adjusted")
            #expect(got.reason == nil)
        }
        let trend = try LogRankTrend(test, scores: [1, 2, 3, 4])
        expectClose(trend.chiSquare, ref[dict: "trend"]["chisq"], "\(label) trend chisq")
        expectClose(trend.p, ref[dict: "trend"]["p"], "\(label) trend p")
        #expect(trend.degreesOfFreedom == 1)
    }

    /// A stratum with one subject contributes nothing and breaks nothing (case 1 has one: z.u).
    @Test func aStratumWithOneSubjectIsHarmless() throws {
        let (data, groups, strata) = try Self.logRankData(strata: ["s1", "s2"])
        let s = try #require(strata)
        #expect(s.count == 5)
        let test = try LogRankTest(data, groups: groups, strata: s)
        #expect(test.chiSquare.isFinite && test.p > 0 && test.p < 1)
    }

    /// Each pair laid out from the per-group runs equals the test refitted on the pair's subjects.
    @Test func pairLayoutsEqualRefitsOnThePair() throws {
        let (data, groups, strata) = try Self.logRankData(strata: ["s1", "s2"])
        for rho in [0.0, 1.0] {
            let pairwise = try LogRankPairwise(data, groups: groups, strata: strata, rho: rho, adjustment: .holm)
            for pair in pairwise.pairs {
                var included = [Bool](repeating: false, count: 4)
                included[pair.a] = true
                included[pair.b] = true
                let refit = try LogRankTest(data, groups: groups, strata: strata, rho: rho, including: included)
                #expect(pair.chiSquare == refit.chiSquare, "rho \(rho) pair \(pair.a)-\(pair.b)")
            }
        }
    }

    @Test func pairsWithoutEventsAreNullWithAReason() throws {
        // Groups 0 and 1 have events; group 2 none at all, group 3 none either: the pair 2-3 has no
        // event, so its test is null with a reason, and it still counts in the adjustment's n.
        let data = try SurvivalData(time: [1, 2, 3, 4, 5, 6, 7, 8], event: [true, false, true, true, false, false, false, false])
        let groups = try data.assign([0, 0, 1, 1, 2, 2, 3, 3], count: 4)
        let pairwise = try LogRankPairwise(data, groups: groups, adjustment: .bonferroni)
        #expect(pairwise.pairs.count == 6)
        let empty = try #require(pairwise.pairs.first { $0.a == 2 && $0.b == 3 })
        #expect(empty.chiSquare == nil && empty.p == nil && empty.pAdjusted == nil)
        #expect(empty.reason?.isEmpty == false)
        for pair in pairwise.pairs where pair.reason == nil {
            let p = try #require(pair.p)
            #expect(pair.pAdjusted == min(1, 6 * p))
        }
    }

    @Test func trendNeedsThreeGroupsAndInformation() throws {
        let data = try SurvivalData(time: [1, 2, 3, 4, 5, 6], event: [true, false, true, true, false, true])
        let two = try LogRankTest(data, groups: data.assign([0, 0, 0, 1, 1, 1], count: 2))
        #expect(throws: StatisticsError.self) { try LogRankTrend(two, scores: [1, 2]) }
        let three = try LogRankTest(data, groups: data.assign([0, 0, 1, 1, 2, 2], count: 3))
        #expect(throws: StatisticsError.self) { try LogRankTrend(three, scores: [1, 2]) }
        let trend = try LogRankTrend(three, scores: [1, 2, 3])
        #expect(trend.chiSquare.isFinite && trend.p >= 0 && trend.p <= 1)
    }

    @Test(arguments: 0..<3)
    func pairedDeLongAgreesWithPROC(_ index: Int) throws {
        let delong = Self.reference[dict: "delong"]
        let tests = delong[list: "tests"]
        let ref = try #require(index < tests.count ? tests[index] : nil)
        let y = ((delong["y"] as? [Bool]) ?? [])
        let a = Self.doubles(delong[ref["a"] as? String ?? ""]).map { $0 ?? .nan }
        let b = Self.doubles(delong[ref["b"] as? String ?? ""]).map { $0 ?? .nan }
        let ra = try ROCCurve(predictor: a, outcome: y)
        let rb = try ROCCurve(predictor: b, outcome: y)
        #expect(ra.direction.pROCSymbol == ref["direction_a"] as? String)
        #expect(rb.direction.pROCSymbol == ref["direction_b"] as? String)
        let test = try PairedDeLong(a, b, outcome: y, directions: (ra.direction, rb.direction))
        let label = "\(ref["a"] ?? "") vs \(ref["b"] ?? "")"
        expectClose(test.aucA, ref["auc_a"], "\(label) auc_a")
        expectClose(test.aucB, ref["auc_b"], "\(label) auc_b")
        expectClose(ra.auc, ref["auc_a"], "\(label) curve auc_a")
        expectClose(test.z, ref["z"], "\(label) z")
        expectClose(test.p, ref["p"], "\(label) p")
        expectClose(test.lower, ref["lower"], "\(label) lower")
        expectClose(test.upper, ref["upper"], "\(label) upper")
    }

    @Test func pairedDeLongRefusesWhatItCannotEstimate() throws {
        let y = [true, false, false, false]
        #expect(throws: StatisticsError.self) {
            try PairedDeLong([1, 2, 3, 4], [4, 3, 2, 1], outcome: y, directions: (.higherIsPositive, .higherIsPositive))
        }
        #expect(throws: StatisticsError.self) {
            try PairedDeLong(
                [1, .nan, 3, 4], [4, 3, 2, 1], outcome: [true, true, false, false], directions: (.higherIsPositive, .higherIsPositive))
        }
        // Identical predictors: difference 0 and standard error 0 give z = 0 and p = 1, as pROC.
        let same = try PairedDeLong(
            [1, 2, 3, 4], [1, 2, 3, 4], outcome: [true, false, true, false], directions: (.higherIsPositive, .higherIsPositive))
        #expect(same.z == 0 && same.p == 1 && same.difference == 0)
    }
}

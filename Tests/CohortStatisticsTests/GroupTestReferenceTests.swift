import CohortStatistics
import Foundation
import Testing

/// Table 1's group tests and the distributions they need, against R (`Fixtures/group_tests.R`):
/// pf and pbeta to 1e-12, pwilcox, wilcox.test, oneway.test, kruskal.test, chisq.test with and
/// without Yates, fisher.test on 2 × 2 and r × c tables, tableone's SMD with MASS::ginv.
@Suite struct GroupTestReferenceTests {
    static var reference: [String: Any] { (try? Fixture.json("group_tests.json")) ?? [:] }

    static func close(_ a: Double?, _ b: Double?, _ tolerance: Double = 1e-12) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a == b || abs(a - b) <= max(tolerance * abs(b), 1e-300)
    }

    static func number(_ c: [String: Any], _ key: String) -> Double? { (c[key] as? NSNumber)?.doubleValue }

    @Test func fUpperTailMatchesPf() {
        let cases = Self.reference[list: "f_upper"]
        #expect(cases.count > 100)
        for c in cases {
            let f = Self.number(c, "f") ?? .nan
            let df1 = Self.number(c, "df1") ?? .nan
            let df2 = Self.number(c, "df2") ?? .nan
            let got = FDistribution.upperTail(f, df1: df1, df2: df2)
            #expect(
                Self.close(got, Self.number(c, "p")),
                "pf(\(f), \(df1), \(df2)): \(String(describing: got)) vs R \(String(describing: Self.number(c, "p")))")
        }
        #expect(FDistribution.upperTail(0, df1: 1, df2: 3) == 1)
        #expect(FDistribution.upperTail(2, df1: 0, df2: 3) == nil)
    }

    @Test func incompleteBetaMatchesPbeta() {
        let cases = Self.reference[list: "beta"]
        #expect(cases.count > 100)
        for c in cases {
            let x = Self.number(c, "x") ?? .nan
            let a = Self.number(c, "a") ?? .nan
            let b = Self.number(c, "b") ?? .nan
            let got = IncompleteBeta.regularized(x: x, y: 1 - x, a: a, b: b)
            // Relative to the smaller tail is what matters; R's values below 1e-300 are compared absolutely.
            for (mine, key) in [(got?.lower, "lower"), (got?.upper, "upper")] {
                let r = Self.number(c, key) ?? .nan
                let ok = r < 1e-290 ? (mine ?? 1) < 1e-280 : Self.close(mine, r, 1e-11)
                #expect(ok, "pbeta(\(x), \(a), \(b)) \(key): \(String(describing: mine)) vs R \(r)")
            }
        }
    }

    @Test func wilcoxonDistributionMatchesPwilcox() {
        for c in Self.reference[list: "wilcox_distribution"] {
            let m = c.int("m") ?? 0
            let n = c.int("n") ?? 0
            let q = c.int("q") ?? 0
            let d = WilcoxonDistribution(m: m, n: n)
            #expect(Self.close(d.lowerTail(atMost: q), Self.number(c, "lower")), "pwilcox(\(q), \(m), \(n))")
            #expect(Self.close(d.upperTail(atLeast: q), Self.number(c, "upper")), "pwilcox(\(q) - 1, \(m), \(n), upper)")
        }
    }

    @Test func wilcoxonTestMatchesWilcoxTest() throws {
        let cases = Self.reference[list: "wilcoxon"]
        #expect(cases.count == 5)
        for c in cases {
            let x = EdgeCaseTests.doubles(c["x"])
            let y = EdgeCaseTests.doubles(c["y"])
            let t = try WilcoxonRankSum.test(x, y)
            #expect(Self.close(t.statistic, Self.number(c, "statistic")), "W \(x.count) vs \(y.count)")
            #expect(Self.close(t.p, Self.number(c, "p"), 1e-11), "p \(x.count) vs \(y.count): \(t.p) vs R \(String(describing: Self.number(c, "p")))")
        }
        #expect(throws: StatisticsError.self) { try WilcoxonRankSum.test([], [1, 2]) }
        #expect(throws: StatisticsError.self) { try WilcoxonRankSum.test([3, 3], [3, 3, 3]) }
    }

    @Test func kSampleTestsMatchOnewayAndKruskal() throws {
        let k = Self.reference[dict: "ksample"]
        let values = EdgeCaseTests.doubles(k["values"])
        let groups = EdgeCaseTests.doubles(k["groups"]).map { Int32($0) }
        let sample = GroupedSample(values: values, groups: groups, groupCount: 3)
        let anova = try OneWayANOVA.test(sample)
        let a = k[dict: "anova"]
        #expect(Self.close(anova.statistic, Self.number(a, "statistic")))
        #expect(anova.df == EdgeCaseTests.doubles(a["df"]))
        #expect(Self.close(anova.p, Self.number(a, "p")))
        let kruskal = try KruskalWallis.test(sample)
        let r = k[dict: "kruskal"]
        #expect(Self.close(kruskal.statistic, Self.number(r, "statistic")))
        #expect(Self.close(kruskal.p, Self.number(r, "p")))
        let tied = GroupedSample(
            values: EdgeCaseTests.doubles(k["tie_values"]), groups: EdgeCaseTests.doubles(k["tie_groups"]).map { Int32($0) },
            groupCount: 2)
        let t = try KruskalWallis.test(tied)
        let tr = k[dict: "tie_kruskal"]
        #expect(Self.close(t.statistic, Self.number(tr, "statistic")))
        #expect(Self.close(t.p, Self.number(tr, "p")))
    }

    @Test func contingencyTestsMatchChisqAndFisher() throws {
        let cases = Self.reference[list: "contingency"]
        #expect(cases.count == 11)
        for c in cases {
            let table = ContingencyTable(
                counts: EdgeCaseTests.doubles(c["counts"]).map { Int($0) }, rowCount: c.int("rows") ?? 0,
                columnCount: c.int("columns") ?? 0)
            if let p = Self.number(c, "p") {
                let plain = try ContingencyChiSquare.test(table, correct: false)
                #expect(Self.close(plain.statistic, Self.number(c, "chisq")))
                #expect(Self.close(plain.p, p))
                let yates = try ContingencyChiSquare.test(table, correct: true)
                #expect(Self.close(yates.statistic, Self.number(c, "chisq_yates")))
                #expect(Self.close(yates.p, Self.number(c, "p_yates")))
            } else {
                // R's X² is NaN (an empty column): not estimable.
                #expect(throws: StatisticsError.self) { try ContingencyChiSquare.test(table, correct: false) }
            }
            // A generous budget: this checks exactness (debug builds on a loaded machine are slow).
            guard case .exact(let p) = FisherExact.test(table, budget: .seconds(20)) else {
                Issue.record("fisher.test on \(table.counts) ran out of time")
                continue
            }
            #expect(
                Self.close(p, Self.number(c, "fisher"), 1e-10), "fisher \(table.counts): \(p) vs R \(String(describing: Self.number(c, "fisher")))")
        }
    }

    @Test func standardizedMeanDifferencesMatchTableone() throws {
        let s = Self.reference[dict: "smd"]
        for c in s[list: "categorical"] {
            let a = EdgeCaseTests.doubles(c["a"]).map { Int($0) }
            let b = EdgeCaseTests.doubles(c["b"]).map { Int($0) }
            let got = try StandardizedMeanDifference.categorical(counts: a, b)
            #expect(Self.close(got, Self.number(c, "smd"), 1e-10), "smd \(a) vs \(b): \(got)")
        }
        let cont = s[dict: "continuous"]
        let got = try StandardizedMeanDifference.continuous(EdgeCaseTests.doubles(cont["x"]), EdgeCaseTests.doubles(cont["y"]))
        #expect(Self.close(got, Self.number(cont, "smd")))
        #expect(throws: StatisticsError.self) { try StandardizedMeanDifference.continuous([1, 1], [1, 1, 1]) }
        #expect(throws: StatisticsError.self) { try StandardizedMeanDifference.categorical(counts: [0, 0], [1, 2]) }
    }
}

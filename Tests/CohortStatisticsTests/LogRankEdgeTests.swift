import CohortStatistics
import Foundation
import Testing

/// survdiff's degrees of freedom and its χ² = 0 cases, pairwise comparisons recoded to two
/// groups, and `signif` at the ends of the double range, against R (`Fixtures/logrank_edge.R`).
@Suite struct LogRankEdgeTests {
    static var reference: [String: Any] { (try? Fixture.json("logrank_edge.json")) ?? [:] }

    static func doubles(_ value: Any?) -> [Double] {
        ((value as? [Any]) ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
    }

    static func data(_ entry: [String: Any]) throws -> (SurvivalData, SurvivalData.GroupAssignment) {
        let group = doubles(entry["group"]).map { Int32($0) }
        let data = try SurvivalData(time: doubles(entry["time"]), event: doubles(entry["event"]))
        return (data, try data.assign(group, count: (entry["k"] as? Int) ?? 0))
    }

    @Test(arguments: ["expected_zero", "one_expected", "pair_without_events"])
    func degreesOfFreedomAndZeroChiSquareAreSurvdiffs(_ name: String) throws {
        let entry = try #require(Self.reference[list: "cases"].first { $0["name"] as? String == name })
        let (data, groups) = try Self.data(entry)
        let test = try LogRankTest(data, groups: groups)
        expectClose(test.chiSquare, entry["chisq"], "\(name) chisq")
        #expect(test.degreesOfFreedom == entry["df"] as? Int, "\(name) df: survdiff counts the groups with E > 0")
        expectClose(test.p, entry["p"], "\(name) p")
        for (g, e) in zip(test.groups, Self.doubles(entry["expected"])) { expectClose(g.expected, e, "\(name) expected") }

        let pairwise = try LogRankPairwise(data, groups: groups, adjustment: .bonferroni)
        let want = entry[list: "pairs"]
        #expect(pairwise.pairs.count == want.count)
        for (pair, ref) in zip(pairwise.pairs, want) {
            #expect(pair.a == ref["a"] as? Int && pair.b == ref["b"] as? Int)
            expectClose(pair.chiSquare, ref["chisq"], "\(name) pair \(pair.a)-\(pair.b) chisq")
            expectClose(pair.p, ref["p"], "\(name) pair \(pair.a)-\(pair.b) p")
            // A null (no event in the pair: survdiff's p is NaN) always has a reason.
            #expect((pair.p == nil) == (pair.reason != nil))
        }
    }

    @Test(arguments: [0.0, 1.0])
    func aPairRecodedToTwoGroupsMatchesTheRefitOnItsSubjects(rho: Double) throws {
        // 4 groups × 3 strata; each pair against the full test refitted on the pair's subjects.
        let n = 240
        let time = (0..<n).map { Double(1 + ($0 * 37) % 53) }
        let event = (0..<n).map { $0 % 5 == 1 ? 0.0 : 1.0 }
        let group = (0..<n).map { Int32(($0 * 7) % 4) }
        let stratum = (0..<n).map { Int32(($0 / 3) % 3) }
        let data = try SurvivalData(time: time, event: event)
        let groups = try data.assign(group, count: 4)
        let strata = try data.assign(stratum, count: 3)
        let pairwise = try LogRankPairwise(data, groups: groups, strata: strata, rho: rho, adjustment: .holm)
        #expect(pairwise.pairs.count == 6)
        for (index, pair) in pairwise.pairs.enumerated() {
            #expect(LogRankPairwise.pairIndex(pair.a, pair.b, present: 4) == index)
            let included = (0..<4).map { $0 == pair.a || $0 == pair.b }
            let refit = try LogRankTest(data, groups: groups, strata: strata, rho: rho, including: included)
            // The same sums in the same order: equal to the bit, not only to 1e-9.
            #expect(pair.chiSquare == refit.chiSquare, "rho \(rho) pair \(pair.a)-\(pair.b)")
        }
    }

    @Test func moreGroupsThanTheCapGiveNoPairsAndAReason() throws {
        let k = LogRankPairwise.maximumGroups + 1
        let n = 3 * k
        let data = try SurvivalData(time: (0..<n).map { Double($0 + 1) }, event: (0..<n).map { $0 % 2 == 0 ? 1 : 0 })
        let groups = try data.assign((0..<n).map { Int32($0 % k) }, count: k)
        let pairwise = try LogRankPairwise(data, groups: groups, adjustment: .holm)
        #expect(pairwise.pairs.isEmpty)
        #expect(pairwise.reason?.contains("\(k) groups") == true)
        let atCap = try data.assign((0..<n).map { Int32($0 % (k - 1)) }, count: k - 1)
        #expect(try LogRankPairwise(data, groups: atCap, adjustment: .holm).pairs.count == (k - 1) * (k - 2) / 2)
    }

    @Test(arguments: 0..<4)
    func signifIsRsAtTheEndsOfTheDoubleRange(_ row: Int) throws {
        let rows = Self.reference[list: "signif"]
        let entry = try #require(row < rows.count ? rows[row] : nil)
        let digits = try #require(entry["digits"] as? Int)
        let x = ((entry["x"] as? [String]) ?? []).compactMap(Double.init)
        let rounded = ((entry["rounded"] as? [String]) ?? []).compactMap(Double.init)
        #expect(x.count == rounded.count && x.count >= 15)
        for (value, want) in zip(x, rounded) {
            let got = significantDigits(value, digits)
            #expect(got.bitPattern == want.bitPattern, "signif(\(value), \(digits)): got \(got), R gives \(want)")
            #expect(significantDigits(-value, digits).bitPattern == (-want).bitPattern)
        }
    }

    @Test func signifAboveTwentyTwoDigitsIsTheValue() {
        #expect(significantDigits(1.234567890123, 23) == 1.234567890123)
        #expect(significantDigits(1.25, 0) == significantDigits(1.25, 1))
    }
}

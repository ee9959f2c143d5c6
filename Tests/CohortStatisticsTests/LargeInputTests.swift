import CohortStatistics
import Testing

/// Large inputs take the counting sort (few distinct values) or the radix sort (many); both must
/// give what a direct computation gives.
@Suite struct LargeInputTests {
    /// A deterministic generator (SplitMix64), so failures reproduce.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// `count` values with about `distinct` different ones (one decimal), some negative.
    static func values(_ count: Int, distinct: Int, seed: UInt64) -> [Double] {
        var g = Generator(state: seed)
        return (0..<count).map { _ in Double(Int.random(in: 0..<distinct, using: &g) - distinct / 5) / 10 }
    }

    /// R's type-7 quantile on a sorted array.
    static func quantile(_ s: [Double], _ p: Double) -> Double {
        let h = Double(s.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = Int(h.rounded(.up))
        return (1 - (h - Double(lo))) * s[lo] + (h - Double(lo)) * s[hi]
    }

    @Test(arguments: [40, 1_000, 200_000])
    func descriptivesMatchASortedArray(distinct: Int) {
        var x = Self.values(50_001, distinct: distinct, seed: UInt64(distinct))
        x[17] = .nan
        let summary = ContinuousSummary(x)
        let s = x.filter { !$0.isNaN }.sorted()
        #expect(summary.count == 50_000 && summary.missing == 1)
        #expect(summary.minimum == s.first && summary.maximum == s.last)
        #expect(summary.median == (s[24_999] + s[25_000]) / 2)
        #expect(summary.firstQuartile.map { abs($0 - Self.quantile(s, 0.25)) <= 1e-12 * abs($0) } == true)
        #expect(summary.thirdQuartile.map { abs($0 - Self.quantile(s, 0.75)) <= 1e-12 * abs($0) } == true)
    }

    @Test(arguments: [30, 100_000])
    func kaplanMeierCountsMatchDirectCounts(distinct: Int) throws {
        let n = 20_000
        let time = Self.values(n, distinct: distinct, seed: 7).map { abs($0) }
        var g = Generator(state: 11)
        let event = (0..<n).map { _ in Bool.random(using: &g) }
        let km = try KaplanMeier(time: time, event: event, confidence: SurvivalConfidence(type: .logLog, level: 0.95))
        let distinctTimes = Set(time).sorted()
        #expect(km.rows.map(\.time) == distinctTimes)
        var survival = 1.0
        for row in km.rows.prefix(60) {
            let atRisk = time.filter { $0 >= row.time }.count
            let deaths = zip(time, event).filter { $0.0 == row.time && $0.1 }.count
            let censored = zip(time, event).filter { $0.0 == row.time && !$0.1 }.count
            #expect(row.atRisk == atRisk && row.events == deaths && row.censored == censored)
            survival *= 1 - Double(deaths) / Double(atRisk)
            #expect(abs(row.survival - survival) <= 1e-12 * survival)
        }
    }

    @Test(arguments: [25, 100_000])
    func rocAreaMatchesPairCounting(distinct: Int) throws {
        let n = 12_000
        let x = Self.values(n, distinct: distinct, seed: 3)
        var g = Generator(state: 5)
        // Higher values are somewhat more often cases.
        let y = x.map { v in Double(UInt32.random(in: 0...UInt32.max, using: &g)) / Double(UInt32.max) < 0.3 + 0.4 * (v > 0 ? 1 : 0) }
        let curve = try ROCCurve(predictor: x, outcome: y, direction: .fixed(.higherIsPositive))
        // Mann–Whitney from counts of each value among cases and controls.
        var cases: [Double: Int] = [:]
        var controls: [Double: Int] = [:]
        for (v, c) in zip(x, y) { if c { cases[v, default: 0] += 1 } else { controls[v, default: 0] += 1 } }
        var below = 0.0
        var controlTotal = 0.0
        var wins = 0.0
        for v in Set(x).sorted() {
            let a = Double(cases[v] ?? 0)
            let b = Double(controls[v] ?? 0)
            wins += a * (below + b / 2)
            below += b
            controlTotal += b
        }
        let caseTotal = Double(n) - controlTotal
        #expect(abs(curve.auc - wins / (caseTotal * controlTotal)) < 1e-12)
        #expect(curve.positives == Int(caseTotal) && curve.negatives == Int(controlTotal))
    }
}

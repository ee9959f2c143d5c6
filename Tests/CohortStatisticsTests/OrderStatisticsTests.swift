import Testing

@testable import CohortStatistics

/// ``OrderStatistics`` against sorting: every requested rank holds the key the sorted array holds
/// there, on orders that break naive quickselects (sorted, reversed, organ pipe, all equal, few
/// distinct values, signed zeros, which the keys read as one 0); and
/// ``ContinuousSummary`` (which counts distinct values or selects, instead of sorting) against the
/// same statistics read off a sorted copy.
@Suite struct OrderStatisticsTests {
    static func inputs() -> [(String, [Double])] {
        var rng = LargeInputTests.Generator(state: 42)
        let n = 5_001
        return [
            ("random", (0..<n).map { _ in Double.random(in: -1e6...1e6, using: &rng) }),
            ("few distinct", (0..<n).map { _ in Double(Int.random(in: 18...90, using: &rng)) }),
            ("all equal", Array(repeating: 3.5, count: n)),
            ("ascending", (0..<n).map(Double.init)),
            ("descending", (0..<n).reversed().map(Double.init)),
            ("organ pipe", (0..<n).map { Double(min($0, n - $0)) }),
            ("signed zeros", (0..<n).map { [-0.0, 0.0, -1, 1][$0 % 4] }),
            ("even count", (0..<(n - 1)).map { _ in Double.random(in: 0...1, using: &rng).rounded(toPlaces: 2) }),
            ("more distinct than counted", (0..<(RadixSort.countingLimit + 2_000)).map { _ in Double.random(in: -1e3...1e3, using: &rng) }),
            ("tiny", [2, -1]),
            ("one", [7]),
        ]
    }

    @Test(arguments: inputs().map(\.0))
    func selectedKeysAreTheSortedArraysKeys(_ name: String) throws {
        let values = try #require(Self.inputs().first { $0.0 == name }?.1)
        let keys = values.map(RadixSort.key)
        let sorted = keys.sorted()
        let n = keys.count
        let ranks = [n - 1, 0, n / 2, max(n / 2 - 1, 0), (n - 1) / 4, min((n - 1) / 4 + 1, n - 1), n / 3]
        var scratch = keys
        let found = OrderStatistics.select(ranks, in: &scratch)
        #expect(found == ranks.map { sorted[$0] })
        #expect(scratch.sorted() == sorted, "a permutation of the keys")
    }

    @Test(arguments: inputs().map(\.0))
    func summaryEqualsTheSortedCopysStatistics(_ name: String) throws {
        var values = try #require(Self.inputs().first { $0.0 == name }?.1)
        values.insert(.nan, at: values.count / 2)
        let present = values.filter { !$0.isNaN }
        let sorted = present.map(RadixSort.key).sorted().map(RadixSort.value(ofKey:))
        let s = ContinuousSummary(values)
        // Counted by distinct value or selected among keys: the same summary.
        #expect(ContinuousSummary(values, counting: true) == ContinuousSummary(values, counting: false))
        #expect(s.count == present.count)
        #expect(s.missing == 1)
        #expect(s.minimum?.bitPattern == sorted.first?.bitPattern)
        #expect(s.maximum?.bitPattern == sorted.last?.bitPattern)
        #expect(s.median?.bitPattern == ContinuousSummary.median(sorted: sorted).bitPattern)
        #expect(s.firstQuartile?.bitPattern == ContinuousSummary.quantile(sorted: sorted, 0.25).bitPattern)
        #expect(s.thirdQuartile?.bitPattern == ContinuousSummary.quantile(sorted: sorted, 0.75).bitPattern)
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}

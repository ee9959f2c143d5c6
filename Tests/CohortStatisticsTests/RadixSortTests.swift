import Testing

@testable import CohortStatistics

/// ``RadixSort``'s permutations against a stable comparison sort, on both of its paths (counting
/// for few distinct keys, radix passes for many), and ``SurvivalData``'s time order (computed
/// without an array of keys when the times take few values) against sorting by (time, events
/// first, input order).
@Suite struct RadixSortTests {
    /// The stable sorting permutation by `<` on the keys.
    static func stableOrder(_ keys: [UInt64]) -> [Int32] {
        keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }.map(Int32.init)
    }

    static func keys(_ count: Int, distinct: UInt64, seed: UInt64) -> [UInt64] {
        var g = LargeInputTests.Generator(state: seed)
        // Spread over all eight bytes so that the radix path makes every pass.
        return (0..<count).map { _ in (UInt64.random(in: 0..<distinct, using: &g) &* 0x0101_0101_0101_0101) }
    }

    @Test(arguments: [
        (10, UInt64(3)), (5_000, 7), (5_000, 20_000), (70_000, UInt64(RadixSort.countingLimit)),
        (70_000, UInt64(RadixSort.countingLimit) + 5_000), (70_000, 1 << 40),
    ])
    func orderIsTheStableSortingPermutation(count: Int, distinct: UInt64) {
        let keys = Self.keys(count, distinct: distinct, seed: UInt64(count) &+ distinct)
        #expect(RadixSort.order(keys) == Self.stableOrder(keys))
        #expect(RadixSort.order(keys, tryingCounting: false) == Self.stableOrder(keys))
    }

    @Test func countingGivesUpBeyondItsLimitAndOtherwiseAgreesWithSorting() {
        let few = Self.keys(50_000, distinct: 900, seed: 1)
        #expect(RadixSort.orderByCounting(count: few.count) { few[$0] } == Self.stableOrder(few))
        let many = (0..<(RadixSort.countingLimit + 1)).map { UInt64($0) &* 7919 }
        #expect(RadixSort.orderByCounting(count: many.count) { many[$0] } == nil)
        var rng = LargeInputTests.Generator(state: 3)
        var sorted = many.shuffled(using: &rng)
        var none: [Int32] = []
        RadixSort.sort(&sorted, carrying: &none)
        #expect(sorted == many.sorted())
    }

    @Test(arguments: [200, 50_000])
    func survivalTimeOrderPutsEventsFirstAtEqualTimes(distinctTimes: Int) throws {
        var g = LargeInputTests.Generator(state: UInt64(distinctTimes))
        let n = 60_000
        let time = (0..<n).map { _ in Double(Int.random(in: 0..<distinctTimes, using: &g)) / 10 }
        let event = (0..<n).map { _ in Bool.random(using: &g) }
        let order = SurvivalData.sortOrder(time: time, event: event)
        let expected = time.indices.sorted { a, b in
            if time[a] != time[b] { return time[a] < time[b] }
            if event[a] != event[b] { return event[a] }
            return a < b
        }
        #expect(order == expected.map(Int32.init))
        let data = try SurvivalData(time: time, event: event)
        #expect(data.sortedTime == expected.map { time[$0] })
        #expect(data.sortedEvent == expected.map { event[$0] })
    }
}

/// An open-addressing table of at most ``RadixSort/countingLimit`` distinct sort keys, each
/// with two tallies (an ROC curve's cases and controls; a summary uses the first alone): what
/// an order statistic or a curve needs of a large sample whose values are rounded to a unit,
/// in a fixed 560 KB whatever the sample's size.
///
/// A class over raw memory, so that counting a key (once per subject of a large cohort) is a
/// few loads and stores, without the checks of arrays inside a value (bounds, uniqueness). It
/// is a builder owned by one sample at a time, never shared between tasks.
final class DistinctKeys {
    private static let capacity = 2 * RadixSort.countingLimit
    private static let shift = UInt64(64 - capacity.trailingZeroBitCount)
    private let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
    private let firstCounts = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    private let secondCounts = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    private let used = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
    private var distinct = 0

    init() {
        keys.initialize(repeating: 0, count: Self.capacity)
        firstCounts.initialize(repeating: 0, count: Self.capacity)
        secondCounts.initialize(repeating: 0, count: Self.capacity)
        used.initialize(repeating: false, count: Self.capacity)
    }

    deinit {
        keys.deallocate()
        firstCounts.deallocate()
        secondCounts.deallocate()
        used.deallocate()
    }

    /// Counts `key` in the first tally, or the second; `false` (counting nothing) when it is a
    /// new key and the table is full, or a count would overflow.
    @inline(__always)
    func add(_ key: UInt64, second: Bool = false) -> Bool {
        let mask = Self.capacity - 1
        var h = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> Self.shift)
        while used[h] {
            if keys[h] == key { return count(h, second: second) }
            h = (h &+ 1) & mask
        }
        guard distinct < RadixSort.countingLimit else { return false }
        distinct += 1
        used[h] = true
        keys[h] = key
        return count(h, second: second)
    }

    @inline(__always)
    private func count(_ h: Int, second: Bool) -> Bool {
        let counts = second ? secondCounts : firstCounts
        guard counts[h] < Int32.max else { return false }
        counts[h] &+= 1
        return true
    }

    /// Each distinct key with its two tallies, in no particular order.
    func forEachDistinct(_ body: (UInt64, Int, Int) -> Void) {
        for h in 0..<Self.capacity where used[h] { body(keys[h], Int(firstCounts[h]), Int(secondCounts[h])) }
    }

    /// The distinct keys in ascending order with their two tallies.
    func sortedRuns() -> [(key: UInt64, first: Int, second: Int)] {
        var runs: [(key: UInt64, first: Int, second: Int)] = []
        runs.reserveCapacity(distinct)
        forEachDistinct { runs.append(($0, $1, $2)) }
        runs.sort { $0.key < $1.key }
        return runs
    }
}

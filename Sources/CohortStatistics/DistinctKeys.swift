/// An open-addressing table of at most ``RadixSort/countingLimit`` distinct sort keys, each
/// with two tallies (an ROC curve's cases and controls; a summary uses the first alone): what
/// an order statistic or a curve needs of a large sample whose values are rounded to a unit,
/// in a fixed 560 KB whatever the sample's size.
struct DistinctKeys: Sendable {
    private static let capacity = 2 * RadixSort.countingLimit
    private static let shift = UInt64(64 - capacity.trailingZeroBitCount)
    private var keys = [UInt64](repeating: 0, count: capacity)
    private var firstCounts = [Int32](repeating: 0, count: capacity)
    private var secondCounts = [Int32](repeating: 0, count: capacity)
    private var used = [Bool](repeating: false, count: capacity)
    private var distinct = 0

    /// Counts `key` in the first tally, or the second; `false` (counting nothing) when it is a
    /// new key and the table is full, or a count would overflow.
    @inline(__always)
    mutating func add(_ key: UInt64, second: Bool = false) -> Bool {
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
    private mutating func count(_ h: Int, second: Bool) -> Bool {
        if second {
            guard secondCounts[h] < Int32.max else { return false }
            secondCounts[h] += 1
        } else {
            guard firstCounts[h] < Int32.max else { return false }
            firstCounts[h] += 1
        }
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

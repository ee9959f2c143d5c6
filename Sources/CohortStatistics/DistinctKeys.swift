/// An open-addressing table of at most ``RadixSort/countingLimit`` distinct sort keys, each
/// with two tallies (an ROC curve's cases and controls; a summary uses the first alone): what
/// an order statistic or a curve needs of a large sample whose values are rounded to a unit,
/// in a fixed 512 KB whatever the sample's size.
///
/// A class over raw memory, so that counting a key (once per subject of a large cohort) is a
/// few loads and stores, without the checks of arrays inside a value (bounds, uniqueness). It
/// is a builder owned by one sample at a time, never shared between tasks.
final class DistinctKeys {
    private static let capacity = 2 * RadixSort.countingLimit
    private static let shift = UInt64(64 - capacity.trailingZeroBitCount)
    /// A free slot's key: the sort key of a NaN (`RadixSort.key` of 0x7FFF_FFFF_FFFF_FFFF),
    /// which no counted value has; ``add(_:second:)`` refuses it.
    private static let free = UInt64.max

    /// A key and its two tallies side by side: counting a key reads and writes one 16-byte slot,
    /// one cache line, where separate arrays of keys, flags and counts took three or four.
    private struct Slot {
        var key: UInt64
        var first: Int32
        var second: Int32
    }

    private let slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
    private var distinct = 0

    init() {
        slots.initialize(repeating: Slot(key: Self.free, first: 0, second: 0), count: Self.capacity)
    }

    deinit {
        slots.deallocate()
    }

    /// Counts `key` in the first tally, or the second; `false` (counting nothing) when it is a
    /// new key and the table is full, a count would overflow, or `key` is the free slots' mark
    /// (a NaN's key: callers leave NaN out, and the sorting path takes any key).
    @inline(__always)
    func add(_ key: UInt64, second: Bool = false) -> Bool {
        let mask = Self.capacity - 1
        var h = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> Self.shift)
        while true {
            let found = slots[h].key
            if found == key { break }
            if found == Self.free {
                guard key != Self.free, distinct < RadixSort.countingLimit else { return false }
                distinct += 1
                slots[h].key = key
                break
            }
            h = (h &+ 1) & mask
        }
        if second {
            guard slots[h].second < Int32.max else { return false }
            slots[h].second &+= 1
        } else {
            guard slots[h].first < Int32.max else { return false }
            slots[h].first &+= 1
        }
        return true
    }

    /// Each distinct key with its two tallies, in no particular order.
    func forEachDistinct(_ body: (UInt64, Int, Int) -> Void) {
        for h in 0..<Self.capacity where slots[h].key != Self.free {
            body(slots[h].key, Int(slots[h].first), Int(slots[h].second))
        }
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

/// Order statistics of keys (``RadixSort/key(_:)``) without sorting them: introselect, in place.
///
/// Why: a summary's minimum, quartiles, median and maximum are five order statistics; sorting
/// ten million values to read them cost a sorted copy, the sort's scratch and several passes,
/// where selection touches each key a few times in the one array. The keys are the radix sort's,
/// so the values found are exactly those the sorted array held at the same ranks (−0 read as 0,
/// as the sort reads it).
enum OrderStatistics {
    /// The keys at the given ranks (0-based) of ascending order, in the order of `ranks` (0 for a
    /// rank outside the keys). Permutes `keys`.
    static func select(_ ranks: [Int], in keys: inout [UInt64]) -> [UInt64] {
        let wanted = Array(Set(ranks)).sorted()
        var found: [Int: UInt64] = [:]
        keys.withUnsafeMutableBufferPointer { buffer in
            // After selecting rank k in [lo, n), every key after position k is >= keys[k], so the
            // next larger rank is selected within (k, n).
            var lo = 0
            for rank in wanted {
                guard rank >= lo, rank < buffer.count else { continue }
                found[rank] = selectRank(rank, in: buffer, lo: lo, hi: buffer.count)
                lo = rank + 1
            }
        }
        return ranks.map { found[$0] ?? 0 }
    }

    /// Places the rank-`k` key of `buffer[lo..<hi]` (k counted from the buffer's start) at `k`,
    /// smaller-or-equal keys before it and greater-or-equal after, and returns it.
    private static func selectRank(_ k: Int, in a: UnsafeMutableBufferPointer<UInt64>, lo: Int, hi: Int) -> UInt64 {
        var lo = lo
        var hi = hi
        // Introselect: quickselect with a median-of-three pivot and a three-way partition (runs
        // of equal keys, common in clinical data, end in one step); past a depth bound, which only
        // adversarial orders reach, the rest is sorted.
        var budget = 2 * (Int.bitWidth - max(hi - lo, 1).leadingZeroBitCount) + 8
        while hi - lo > 16 {
            if budget == 0 {
                var rest = UnsafeMutableBufferPointer(rebasing: a[lo..<hi])
                rest.sort()
                return a[k]
            }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            let pivot = median(a[lo], a[mid], a[hi - 1])
            // Dutch national flag: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot.
            var lt = lo
            var i = lo
            var gt = hi - 1
            while i <= gt {
                let x = a[i]
                if x < pivot {
                    a.swapAt(lt, i)
                    lt += 1
                    i += 1
                } else if x > pivot {
                    a.swapAt(i, gt)
                    gt -= 1
                } else {
                    i += 1
                }
            }
            if k < lt {
                hi = lt
            } else if k > gt {
                lo = gt + 1
            } else {
                return pivot
            }
        }
        var rest = UnsafeMutableBufferPointer(rebasing: a[lo..<hi])
        rest.sort()
        return a[k]
    }

    @inline(__always)
    private static func median(_ x: UInt64, _ y: UInt64, _ z: UInt64) -> UInt64 {
        max(min(x, y), min(max(x, y), z))
    }
}

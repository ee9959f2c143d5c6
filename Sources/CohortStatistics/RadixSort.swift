/// Stable least-significant-digit radix sort on 64-bit keys.
///
/// Sorting is the only super-linear step of most routines here; on a million rows an LSD radix
/// sort (8 passes at most, passes whose byte is constant skipped) is several times faster than a
/// comparison sort through a closure.
enum RadixSort {
    /// The permutation `p` such that `keys[p[0]] <= keys[p[1]] <= …`, ties in input order.
    ///
    /// Takes the keys (the caller's copy is not kept, so no second copy is made) and, when they
    /// take few distinct values, places the positions by counting without sorting the keys
    /// (`tryingCounting: false` when the caller has already found that they do not).
    static func order(_ keys: consuming [UInt64], tryingCounting: Bool = true) -> [Int32] {
        let n = keys.count
        if tryingCounting && n >= countingMinimum {
            let counted = keys.withUnsafeBufferPointer { k in orderByCounting(count: n) { k[$0] } }
            if let counted { return counted }
        }
        var sortedKeys = keys
        var indices = identity(n)
        sort(&sortedKeys, carrying: &indices)
        return indices
    }

    /// `0, 1, …, n − 1`.
    static func identity(_ n: Int) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(truncatingIfNeeded: i) }
            count = n
        }
    }

    /// The stable sorting permutation of `n` keys read through `key` (so the caller need not
    /// store them), when they take at most ``countingLimit`` distinct values; `nil` otherwise.
    /// The same permutation as ``order(_:)``'s radix sort: both are stable. Working memory is two
    /// bytes per key besides the result.
    static func orderByCounting(count n: Int, key: (Int) -> UInt64) -> [Int32]? {
        orderAndRunsByCounting(count: n, key: key)?.order
    }

    /// The same permutation as ``orderByCounting(count:key:)``, with the counting table: its
    /// `runs` (the distinct keys ascending, each with how many times it occurs: the sorted keys,
    /// for a caller that would otherwise gather its values in sorted order), each key's `slots`
    /// entry and `runOfSlot` (which run a slot is). Its `next` is spent: it holds where each
    /// run ends.
    static func orderAndRunsByCounting(count n: Int, key: (Int) -> UInt64) -> (order: [Int32], table: CountingTable)? {
        guard var table = CountingTable(count: n, key: key) else { return nil }
        let order = [Int32](unsafeUninitializedCapacity: n) { target, count in
            table.slots.withUnsafeBufferPointer { slot in
                table.next.withUnsafeMutableBufferPointer { next in
                    for i in 0..<n {
                        let h = Int(slot[i])
                        target[next[h]] = Int32(truncatingIfNeeded: i)
                        next[h] &+= 1
                    }
                }
            }
            count = n
        }
        return (order, table)
    }

    /// The distinct keys of a counting sort: each key's hash slot, and where each slot's run
    /// starts in sorted order.
    struct CountingTable {
        /// The slot of each key, in input order.
        var slots: [UInt16]
        /// For each slot, the position of its first key in sorted order.
        var next: [Int]
        /// The distinct keys in ascending order, with their counts.
        var runs: [(key: UInt64, count: Int)]
        /// For each slot, the index of its key in `runs` (−1 for a slot no key took).
        var runOfSlot: [Int32]

        /// Counts the keys in one pass; `nil` when there are more than ``countingLimit`` distinct ones.
        init?(count n: Int, key: (Int) -> UInt64) {
            let capacity = 2 * countingLimit
            let mask = capacity - 1
            let shift = UInt64(64 - capacity.trailingZeroBitCount)
            var tableKeys = [UInt64](repeating: 0, count: capacity)
            var counts = [Int32](repeating: 0, count: capacity)
            var slots = [UInt16](repeating: 0, count: n)
            var distinct = 0
            let fits = tableKeys.withUnsafeMutableBufferPointer { table in
                counts.withUnsafeMutableBufferPointer { count in
                    slots.withUnsafeMutableBufferPointer { slot in
                        for i in 0..<n {
                            let k = key(i)
                            var h = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
                            while true {
                                if count[h] == 0 {
                                    distinct += 1
                                    if distinct > countingLimit { return false }
                                    table[h] = k
                                    count[h] = 1
                                    break
                                }
                                if table[h] == k {
                                    count[h] &+= 1
                                    break
                                }
                                h = (h &+ 1) & mask
                            }
                            slot[i] = UInt16(truncatingIfNeeded: h)
                        }
                        return true
                    }
                }
            }
            guard fits else { return nil }
            var used: [(key: UInt64, slot: Int)] = []
            used.reserveCapacity(distinct)
            for h in 0..<capacity where counts[h] > 0 { used.append((tableKeys[h], h)) }
            used.sort { $0.key < $1.key }
            var next = [Int](repeating: 0, count: capacity)
            var running = 0
            var runs: [(key: UInt64, count: Int)] = []
            runs.reserveCapacity(distinct)
            var runOfSlot = [Int32](repeating: -1, count: capacity)
            for (k, h) in used {
                next[h] = running
                runOfSlot[h] = Int32(runs.count)
                let count = Int(counts[h])
                runs.append((k, count))
                running += count
            }
            self.slots = slots
            self.next = next
            self.runs = runs
            self.runOfSlot = runOfSlot
        }
    }

    /// `values` (no NaN) in ascending order.
    static func sorted(_ values: [Double]) -> [Double] {
        var keys = values.map { key($0) }
        var none: [Int32] = []
        sort(&keys, carrying: &none)
        return keys.map(value(ofKey:))
    }

    /// Sorts `keys` in place; when `indices` is not empty it is permuted alongside.
    static func sort(_ keys: inout [UInt64], carrying indices: inout [Int32]) {
        let n = keys.count
        if n < 2 { return }
        if n >= countingMinimum && sortByCounting(&keys, carrying: &indices) { return }
        let carry = !indices.isEmpty
        var histograms = [Int](repeating: 0, count: 8 * 256)
        keys.withUnsafeBufferPointer { k in
            histograms.withUnsafeMutableBufferPointer { h in
                for key in k {
                    var v = key
                    for pass in 0..<8 {
                        h[pass &* 256 &+ Int(truncatingIfNeeded: v & 0xFF)] &+= 1
                        v >>= 8
                    }
                }
            }
        }
        var dstKeys = [UInt64](repeating: 0, count: n)
        var dstIdx = [Int32](repeating: 0, count: carry ? n : 0)
        var offsets = [Int](repeating: 0, count: 256)
        for pass in 0..<8 {
            let base = pass * 256
            // A pass whose byte is the same for every key leaves the order unchanged.
            if histograms[base..<(base + 256)].contains(n) { continue }
            var running = 0
            for b in 0..<256 {
                offsets[b] = running
                running += histograms[base + b]
            }
            let shift = UInt64(pass * 8)
            keys.withUnsafeBufferPointer { sk in
                indices.withUnsafeBufferPointer { si in
                    dstKeys.withUnsafeMutableBufferPointer { dk in
                        dstIdx.withUnsafeMutableBufferPointer { di in
                            offsets.withUnsafeMutableBufferPointer { off in
                                for i in 0..<n {
                                    let key = sk[i]
                                    let b = Int(truncatingIfNeeded: (key >> shift) & 0xFF)
                                    let at = off[b]
                                    dk[at] = key
                                    if carry { di[at] = si[i] }
                                    off[b] = at &+ 1
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &dstKeys)
            if carry { swap(&indices, &dstIdx) }
        }
    }

    /// Inputs at least this long try ``sortByCounting(_:carrying:)`` first.
    static let countingMinimum = 4096
    /// Distinct keys the counting sort handles (its hash table has twice as many slots).
    static let countingLimit = 1 << 14

    /// Sorts stably by counting when the keys take at most ``countingLimit`` distinct values,
    /// as measurements rounded to a unit usually do (ages, months to one decimal, lab values):
    /// one pass counts each key in a hash table, the few distinct keys are sorted, and one pass
    /// places every element, instead of up to eight radix passes. The result is the same as the
    /// radix sort's (both are stable). Returns `false`, changing nothing, when there are more
    /// distinct keys.
    static func sortByCounting(_ keys: inout [UInt64], carrying indices: inout [Int32]) -> Bool {
        let n = keys.count
        let table = keys.withUnsafeBufferPointer { k in CountingTable(count: n) { k[$0] } }
        guard var table else { return false }
        var running = 0
        keys.withUnsafeMutableBufferPointer { k in
            for (key, count) in table.runs {
                for j in running..<(running + count) { k[j] = key }
                running += count
            }
        }
        if !indices.isEmpty {
            var placed = [Int32](repeating: 0, count: n)
            indices.withUnsafeBufferPointer { source in
                table.slots.withUnsafeBufferPointer { slot in
                    table.next.withUnsafeMutableBufferPointer { next in
                        placed.withUnsafeMutableBufferPointer { target in
                            for i in 0..<n {
                                let h = Int(slot[i])
                                target[next[h]] = source[i]
                                next[h] &+= 1
                            }
                        }
                    }
                }
            }
            indices = placed
        }
        return true
    }

    /// A key whose unsigned order is the numeric order of `x` (NaN excluded by callers).
    @inline(__always)
    static func key(_ x: Double) -> UInt64 {
        let bits = (x == 0 ? 0 : x).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The double whose ``key(_:)`` is `k`.
    @inline(__always)
    static func value(ofKey k: UInt64) -> Double {
        Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k)
    }
}

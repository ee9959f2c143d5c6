/// Stable least-significant-digit radix sort on 64-bit keys.
///
/// Sorting is the only super-linear step of most routines here; on a million rows an LSD radix
/// sort (8 passes at most, passes whose byte is constant skipped) is several times faster than a
/// comparison sort through a closure.
enum RadixSort {
    /// The permutation `p` such that `keys[p[0]] <= keys[p[1]] <= …`, ties in input order.
    static func order(_ keys: [UInt64]) -> [Int32] {
        sortedWithOrder(keys).order
    }

    /// The keys in ascending order with the permutation that sorts them.
    static func sortedWithOrder(_ keys: [UInt64]) -> (keys: [UInt64], order: [Int32]) {
        var sortedKeys = keys
        var indices = [Int32](unsafeUninitializedCapacity: keys.count) { buffer, count in
            for i in 0..<keys.count { buffer[i] = Int32(truncatingIfNeeded: i) }
            count = keys.count
        }
        sort(&sortedKeys, carrying: &indices)
        return (sortedKeys, indices)
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

/// Doubles in ascending order with the permutation that sorts them, faster than a 64-bit radix
/// sort for the million scores of a concordance: an LSD radix sort on 32-bit keys (each value
/// rounded to `Float`, four passes), then the runs of equal rounded keys, short in practice,
/// sorted exactly (insertion sort when short, a comparison sort when long). Rounding to `Float` is monotone (x ≤ y ⇒ Float(x) ≤ Float(y)), so the order
/// is exact.
enum ScoreOrder {
    /// `values` sorted ascending (−0 as +0, no NaN expected) and the indices in that order.
    static func sorted(_ values: UnsafeBufferPointer<Double>) -> (values: [Double], order: [Int32]) {
        let n = values.count
        var keys = [UInt32](repeating: 0, count: n)
        var order = [Int32](repeating: 0, count: n)
        keys.withUnsafeMutableBufferPointer { keys in
            order.withUnsafeMutableBufferPointer { order in
                for i in 0..<n {
                    keys[i] = key(Float(values[i]))
                    order[i] = Int32(truncatingIfNeeded: i)
                }
            }
        }
        radixSort(&keys, carrying: &order)
        var sorted = [Double](repeating: 0, count: n)
        sorted.withUnsafeMutableBufferPointer { sorted in
            order.withUnsafeMutableBufferPointer { order in
                keys.withUnsafeBufferPointer { keys in
                    for k in 0..<n { sorted[k] = values[Int(order[k])] == 0 ? 0 : values[Int(order[k])] }
                    // Runs of one rounded key: sort them exactly (insertion sort; runs are short).
                    var start = 0
                    while start < n {
                        var end = start + 1
                        while end < n && keys[end] == keys[start] { end += 1 }
                        if end - start > 32 {
                            // A long run (values closer than Float resolves, e.g. all near 0):
                            // O(k log k), never quadratic.
                            var run = (start..<end).map { (sorted[$0], order[$0]) }
                            run.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                            for (q, pair) in run.enumerated() {
                                sorted[start + q] = pair.0
                                order[start + q] = pair.1
                            }
                        } else if end - start > 1 {
                            for m in (start + 1)..<end {
                                let v = sorted[m]
                                let o = order[m]
                                var q = m
                                while q > start && sorted[q - 1] > v {
                                    sorted[q] = sorted[q - 1]
                                    order[q] = order[q - 1]
                                    q -= 1
                                }
                                sorted[q] = v
                                order[q] = o
                            }
                        }
                        start = end
                    }
                }
            }
        }
        return (sorted, order)
    }

    /// An unsigned key ordered as the float (−0 as +0).
    @inline(__always)
    static func key(_ x: Float) -> UInt32 {
        let bits = (x == 0 ? 0 : x).bitPattern
        return bits & (1 << 31) != 0 ? ~bits : bits | (1 << 31)
    }

    /// Stable LSD radix sort of 32-bit keys, 8 bits per pass (a pass whose byte is the same for
    /// every key is skipped), permuting `carrying` alongside.
    static func radixSort(_ keys: inout [UInt32], carrying indices: inout [Int32]) {
        let n = keys.count
        guard n > 1, indices.count == n else { return }
        var histograms = [Int](repeating: 0, count: 4 * 256)
        keys.withUnsafeBufferPointer { k in
            histograms.withUnsafeMutableBufferPointer { h in
                for key in k {
                    h[Int(key & 0xFF)] &+= 1
                    h[256 &+ Int((key >> 8) & 0xFF)] &+= 1
                    h[512 &+ Int((key >> 16) & 0xFF)] &+= 1
                    h[768 &+ Int(key >> 24)] &+= 1
                }
            }
        }
        var dstKeys = [UInt32](repeating: 0, count: n)
        var dstIdx = [Int32](repeating: 0, count: n)
        var offsets = [Int](repeating: 0, count: 256)
        for pass in 0..<4 {
            let base = pass * 256
            if histograms[base..<(base + 256)].contains(n) { continue }
            var running = 0
            for b in 0..<256 {
                offsets[b] = running
                running += histograms[base + b]
            }
            let shift = UInt32(8 * pass)
            keys.withUnsafeBufferPointer { src in
                indices.withUnsafeBufferPointer { srcIdx in
                    dstKeys.withUnsafeMutableBufferPointer { dst in
                        dstIdx.withUnsafeMutableBufferPointer { dstI in
                            offsets.withUnsafeMutableBufferPointer { off in
                                for i in 0..<n {
                                    let key = src[i]
                                    let b = Int((key >> shift) & 0xFF)
                                    let at = off[b]
                                    dst[at] = key
                                    dstI[at] = srcIdx[i]
                                    off[b] = at &+ 1
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &dstKeys)
            swap(&indices, &dstIdx)
        }
    }
}

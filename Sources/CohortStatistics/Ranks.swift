/// Mid-ranks of a sample (R's `rank(x, ties.method = "average")`) and the sizes of its ties.
///
/// Why: the Wilcoxon rank-sum and Kruskal–Wallis tests need both; computing them from one sort
/// keeps the tests n log n with no per-row allocation.
public struct MidRanks: Sendable, Hashable {
    /// `ranks[i]` is the mid-rank of `values[i]` (1-based).
    public var ranks: [Double]
    /// Σ (t³ − t) over the groups of tied values (0 without ties).
    public var tieSum: Double
    /// Whether any two values are equal.
    public var hasTies: Bool { tieSum > 0 }

    /// Ranks finite `values` (no NaN: callers drop missing values first).
    public init(_ values: [Double]) {
        let n = values.count
        var keys = values.map { RadixSort.key($0) }
        var order = (0..<n).map { Int32($0) }
        RadixSort.sort(&keys, carrying: &order)
        var ranks = [Double](repeating: 0, count: n)
        var tieSum = 0.0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && keys[end] == keys[start] { end += 1 }
            let rank = Double(start + 1 + end) / 2
            for k in start..<end { ranks[Int(order[k])] = rank }
            let t = Double(end - start)
            if t > 1 { tieSum += t * t * t - t }
            start = end
        }
        self.ranks = ranks
        self.tieSum = tieSum
    }
}

import RealModule

/// The Wilcoxon rank-sum (Mann–Whitney) test, two-sided, as R's `wilcox.test(x, y)` computes it.
///
/// Why both methods: R is exact when both samples have fewer than 50 values and there are no
/// ties, and otherwise uses the normal approximation with continuity correction and tie
/// correction of the variance; Table 1 must give R's p in both cases.
public enum WilcoxonRankSum {
    /// W = Σ ranks(x) − nₓ(nₓ + 1)/2 (x is the first sample) and its two-sided p.
    ///
    /// - Throws: `empty_group` when a sample is empty (R: "not enough observations");
    ///   `invalid_value` when every value is tied (the normal approximation's variance is 0).
    public static func test(_ x: [Double], _ y: [Double]) throws -> HypothesisTest {
        guard !x.isEmpty, !y.isEmpty else {
            throw StatisticsError(.emptyGroup, "a group has no values")
        }
        let ranks = MidRanks(x + y)
        var rankSum = 0.0
        for i in 0..<x.count { rankSum += ranks.ranks[i] }
        let nx = Double(x.count)
        let ny = Double(y.count)
        let w = rankSum - nx * (nx + 1) / 2
        if x.count < 50 && y.count < 50 && !ranks.hasTies {
            // R: p <- if (W > nx ny / 2) pwilcox(W − 1, upper) else pwilcox(W); min(2p, 1).
            let distribution = WilcoxonDistribution(m: x.count, n: y.count)
            let q = Int(w.rounded())
            let tail = w > nx * ny / 2 ? distribution.upperTail(atLeast: q) : distribution.lowerTail(atMost: q)
            return HypothesisTest(statistic: w, df: [], p: min(2 * tail, 1))
        }
        // Normal approximation: z = (W − nₓn_y/2 − sign·½)/σ, σ² = nₓn_y/12 ((n + 1) − Σ(t³ − t)/(n(n − 1))).
        let n = nx + ny
        let centred = w - nx * ny / 2
        let sigma = ((nx * ny / 12) * ((n + 1) - ranks.tieSum / (n * (n - 1)))).squareRoot()
        let correction = centred > 0 ? 0.5 : (centred < 0 ? -0.5 : 0)
        let z = (centred - correction) / sigma
        guard z.isFinite else {
            throw StatisticsError(.invalidValue, "every value is tied (the rank-sum variance is 0)")
        }
        return HypothesisTest(statistic: w, df: [], p: min(2 * min(Normal.cdf(z), Normal.upperTail(z)), 1))
    }
}

/// The null distribution of the rank-sum statistic W for samples of m and n values without ties
/// (R's `dwilcox`/`pwilcox`).
///
/// The counts of the subsets of {1, …, m + n} of size m by their rank sum are built by the
/// recursion c(i, j, s) = c(i − 1, j, s) + c(i − 1, j − 1, s − i): additions of positive numbers
/// only, so each count is exact to rounding (~1e-15 relative) even where it exceeds 2⁵³.
public struct WilcoxonDistribution: Sendable, Hashable {
    public let m: Int
    public let n: Int
    /// `probabilities[w]` = P(W = w), w = 0…mn.
    public let probabilities: [Double]

    /// The distribution for m, n ≥ 0 (negative sizes are taken as 0); its table has (m + 1)(mn + 1)
    /// entries, so callers use it below 50 values each, as R does.
    public init(m: Int, n: Int) {
        let m = max(m, 0)
        let n = max(n, 0)
        self.m = m
        self.n = n
        let size = m + n
        let maxSum = m * n
        // counts[j][s]: subsets of size j of {1…i} with (sum − j(j+1)/2) = s, for the current i.
        let width = maxSum + 1
        var counts = [Double](repeating: 0, count: (m + 1) * width)
        counts[0] = 1
        if size > 0 {
            for i in 1...size {
                // j descending so that each element is used at most once; the offset sum of a
                // subset of size j that contains i is the offset sum without it plus (i − j).
                let top = min(i, m)
                if top >= 1 {
                    for j in stride(from: top, through: 1, by: -1) {
                        let shift = i - j
                        guard shift >= 0, shift <= maxSum else { continue }
                        let row = j * width
                        let previous = (j - 1) * width
                        for s in stride(from: maxSum, through: shift, by: -1) {
                            counts[row + s] += counts[previous + s - shift]
                        }
                    }
                }
            }
        }
        let total = Double.exp(Double.logGamma(Double(size + 1)) - Double.logGamma(Double(m + 1)) - Double.logGamma(Double(n + 1)))
        // Normalise by the sum of the counts (= C(m + n, m)) rather than the rounded binomial.
        var sum = 0.0
        for s in 0...maxSum { sum += counts[m * width + s] }
        let norm = sum > 0 ? sum : total
        probabilities = (0...maxSum).map { counts[m * width + $0] / norm }
    }

    /// P(W ≤ q).
    public func lowerTail(atMost q: Int) -> Double {
        guard q >= 0 else { return 0 }
        var p = 0.0
        for w in 0...min(q, probabilities.count - 1) { p += probabilities[w] }
        return min(p, 1)
    }

    /// P(W ≥ q).
    public func upperTail(atLeast q: Int) -> Double {
        guard q < probabilities.count else { return 0 }
        var p = 0.0
        for w in stride(from: probabilities.count - 1, through: max(q, 0), by: -1) { p += probabilities[w] }
        return min(p, 1)
    }
}

/// The outcome of a hypothesis test: its statistic, degrees of freedom and p-value.
///
/// Why one type: Table 1 reports every test the same way (`{name, statistic, df, p}`), and a test
/// that is not estimable throws a ``StatisticsError`` instead of returning NaN, so a value of this
/// type always holds finite numbers.
public struct HypothesisTest: Sendable, Hashable {
    /// The test statistic (χ², F, H or W); `nil` for tests that report only a p (Fisher).
    public var statistic: Double?
    /// Degrees of freedom: none (Wilcoxon, Fisher), one (χ², Kruskal–Wallis) or two (F).
    public var df: [Double]
    /// The two-sided p-value (upper tail for χ² and F).
    public var p: Double

    public init(statistic: Double?, df: [Double], p: Double) {
        self.statistic = statistic
        self.df = df
        self.p = p
    }

    /// Throws unless the statistic and p are finite (R returns NaN there; cohortd returns a reason).
    static func finite(statistic: Double, df: [Double], p: Double?, what: String) throws -> HypothesisTest {
        guard statistic.isFinite, let p, p.isFinite else {
            throw StatisticsError(.invalidValue, "\(what) is not finite (the values do not vary)")
        }
        return HypothesisTest(statistic: statistic, df: df, p: p)
    }
}

/// Values split by group: the input of the k-sample tests, built once per variable.
public struct GroupedSample: Sendable, Hashable {
    /// The non-missing values.
    public var values: [Double]
    /// `groups[i]` in `0..<groupCount` is the group of `values[i]`.
    public var groups: [Int32]
    public var groupCount: Int

    /// Keeps the pairs where the value is not NaN and the code is in `0..<groupCount`.
    public init(values: [Double], groups: [Int32], groupCount: Int) {
        var v: [Double] = []
        var g: [Int32] = []
        v.reserveCapacity(values.count)
        g.reserveCapacity(values.count)
        for (x, c) in zip(values, groups) where !x.isNaN && c >= 0 && Int(c) < groupCount {
            v.append(x)
            g.append(c)
        }
        self.values = v
        self.groups = g
        self.groupCount = groupCount
    }

    /// The number of values in each group.
    public var sizes: [Int] {
        var n = [Int](repeating: 0, count: groupCount)
        for c in groups { n[Int(c)] += 1 }
        return n
    }
}

/// One-way analysis of means with equal variances (R's `oneway.test(x ~ g, var.equal = TRUE)`).
public enum OneWayANOVA {
    /// F = (Σ nᵢ(mᵢ − m)²/(k − 1)) / (Σ (nᵢ − 1)vᵢ/(n − k)), df (k − 1, n − k), over the groups
    /// that have values (R's `factor(g)` drops empty levels).
    ///
    /// - Throws: `too_few_groups` with fewer than two non-empty groups; `empty_group` when a
    ///   group has a single value (R: "not enough observations"); `invalid_value` when F is not
    ///   finite (no variation within groups).
    public static func test(_ sample: GroupedSample) throws -> HypothesisTest {
        let sizes = sample.sizes
        let present = sizes.indices.filter { sizes[$0] > 0 }
        guard present.count >= 2 else {
            throw StatisticsError(.tooFewGroups, "fewer than two groups have values")
        }
        guard present.allSatisfy({ sizes[$0] >= 2 }) else {
            throw StatisticsError(.emptyGroup, "a group has a single value (one-way ANOVA needs two per group)")
        }
        var sums = [Double](repeating: 0, count: sample.groupCount)
        var total = 0.0
        for (x, c) in zip(sample.values, sample.groups) {
            sums[Int(c)] += x
            total += x
        }
        let n = Double(sample.values.count)
        let grand = total / n
        var means = sums
        for j in present { means[j] = sums[j] / Double(sizes[j]) }
        var within = 0.0
        for (x, c) in zip(sample.values, sample.groups) {
            let d = x - means[Int(c)]
            within += d * d
        }
        var between = 0.0
        for j in present {
            let d = means[j] - grand
            between += Double(sizes[j]) * d * d
        }
        let k = Double(present.count)
        let f = (between / (k - 1)) / (within / (n - k))
        return try HypothesisTest.finite(
            statistic: f, df: [k - 1, n - k], p: f.isFinite ? FDistribution.upperTail(f, df1: k - 1, df2: n - k) : nil,
            what: "the F statistic")
    }
}

/// The Kruskal–Wallis rank-sum test with R's tie correction (`kruskal.test(x, g)`).
public enum KruskalWallis {
    /// H = (12/(n(n + 1)) Σ Rᵢ²/nᵢ − 3(n + 1)) / (1 − Σ(t³ − t)/(n³ − n)), df = k − 1 over the
    /// non-empty groups, p = P(χ²(k − 1) > H).
    ///
    /// - Throws: `too_few_groups` with fewer than two non-empty groups; `invalid_value` when every
    ///   value is tied (H = 0/0).
    public static func test(_ sample: GroupedSample) throws -> HypothesisTest {
        let sizes = sample.sizes
        let present = sizes.indices.filter { sizes[$0] > 0 }
        guard present.count >= 2 else {
            throw StatisticsError(.tooFewGroups, "fewer than two groups have values")
        }
        let ranks = MidRanks(sample.values)
        var rankSums = [Double](repeating: 0, count: sample.groupCount)
        for (r, c) in zip(ranks.ranks, sample.groups) { rankSums[Int(c)] += r }
        var s = 0.0
        for j in present { s += rankSums[j] * rankSums[j] / Double(sizes[j]) }
        let n = Double(sample.values.count)
        let h = (12 * s / (n * (n + 1)) - 3 * (n + 1)) / (1 - ranks.tieSum / (n * n * n - n))
        let df = Double(present.count - 1)
        return try HypothesisTest.finite(
            statistic: h, df: [df], p: h.isFinite ? ChiSquared.upperTail(h, df: df) : nil, what: "the Kruskal–Wallis statistic")
    }
}

/// The log-rank test for trend over ordered groups, from a fitted ``LogRankTest``:
/// χ² = (wᵀ(O − E))² / (wᵀVw) on 1 degree of freedom, with survdiff's O, E and variance matrix
/// (summed over strata) and one score per group.
///
/// The scores must follow a meaningful order of the groups (cohortd requires declared levels);
/// groups without subjects are not groups of the test, so the scores run over those that occur.
public struct LogRankTrend: Sendable, Hashable {
    /// (wᵀ(O − E))² / (wᵀVw).
    public let chiSquare: Double
    /// Always 1.
    public let degreesOfFreedom: Int
    /// `pchisq(chiSquare, 1, lower.tail = FALSE)`.
    public let p: Double

    /// The trend test with `scores` (one per group of `test`, in code order; cohortd passes
    /// 1..k in declared level order, as `refs_v2_lib.R` does).
    ///
    /// - Throws: `length_mismatch` when the scores do not match the groups, `too_few_groups`
    ///   unless three groups have subjects, `singular_matrix` when wᵀVw is not positive (no
    ///   information about a trend, e.g. no events).
    public init(_ test: LogRankTest, scores: [Double]) throws {
        let k = test.groups.count
        guard scores.count == k else {
            throw StatisticsError(.lengthMismatch, "\(k) groups but \(scores.count) trend scores")
        }
        guard test.groups.filter({ $0.count > 0 }).count >= 3 else {
            throw StatisticsError(.tooFewGroups, "a test for trend needs at least three groups with subjects")
        }
        var numerator = 0.0
        for g in 0..<k { numerator += scores[g] * (test.groups[g].observed - test.groups[g].expected) }
        // w %*% V %*% w, as R evaluates it: (wᵀV) first, then times w.
        var denominator = 0.0
        for b in 0..<k {
            var column = 0.0
            for a in 0..<k { column += scores[a] * test.variance[a][b] }
            denominator += column * scores[b]
        }
        guard denominator > 0, denominator.isFinite else {
            throw StatisticsError(.singularMatrix, "the variance of the trend statistic is zero (no events to test a trend)")
        }
        chiSquare = numerator * numerator / denominator
        degreesOfFreedom = 1
        p = ChiSquared.upperTail(chiSquare, df: 1) ?? 1
    }
}

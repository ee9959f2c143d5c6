/// Pairwise log-rank comparisons: every pair of groups in code order (1-2, 1-3, …, 2-3, …),
/// each `survdiff` refitted on the subjects of its two groups (same strata, same rho), with the
/// p-values adjusted over all the pairs by `p.adjust` — as `refs_v2_lib.R` `logrank_test` and
/// EZR's `pairwise.logrank.test` compute them.
public struct LogRankPairwise: Sendable, Hashable {
    /// One pair's test.
    public struct Pair: Sendable, Hashable {
        /// The group codes compared (`a` < `b`).
        public var a: Int
        public var b: Int
        /// χ² of the refitted test on 1 degree of freedom; `nil` when not estimable.
        public var chiSquare: Double?
        /// The unadjusted p (`pchisq(chisq, 1, lower.tail = FALSE)`).
        public var p: Double?
        /// The p the adjustment used: `p`, or `signif(p, 3)` when rounding (EZR).
        public var pUsed: Double?
        public var pAdjusted: Double?
        /// Why the test is not estimable, when it is not.
        public var reason: String?
    }

    public let adjustment: PValueAdjustment
    public let pairs: [Pair]

    /// Compares every pair of the groups that have subjects.
    ///
    /// - Parameters:
    ///   - roundingToThreeDigits: adjust `signif(p, 3)` instead of p (EZR's
    ///     `pairwise.logrank.test`, profile `ezr`).
    public init(
        _ data: SurvivalData, groups: SurvivalData.GroupAssignment, strata: SurvivalData.GroupAssignment? = nil,
        rho: Double = 0, adjustment: PValueAdjustment, roundingToThreeDigits: Bool = false
    ) throws {
        let k = groups.count
        var sizes = [Int](repeating: 0, count: k)
        for g in groups.timeOrdered where g >= 0 && Int(g) < k { sizes[Int(g)] += 1 }
        let present = (0..<k).filter { sizes[$0] > 0 }
        var pairs: [Pair] = []
        for (i, a) in present.enumerated() {
            for b in present.dropFirst(i + 1) {
                var included = [Bool](repeating: false, count: k)
                included[a] = true
                included[b] = true
                do {
                    let test = try LogRankTest(data, groups: groups, strata: strata, rho: rho, including: included)
                    // refs_v2_lib.R: pchisq(s2$chisq, 1, lower.tail = FALSE).
                    let p = ChiSquared.upperTail(test.chiSquare, df: 1) ?? 1
                    pairs.append(
                        Pair(
                            a: a, b: b, chiSquare: test.chiSquare, p: p,
                            pUsed: roundingToThreeDigits ? significantDigits(p, 3) : p, pAdjusted: nil, reason: nil))
                } catch let error as StatisticsError {
                    pairs.append(Pair(a: a, b: b, chiSquare: nil, p: nil, pUsed: nil, pAdjusted: nil, reason: error.message))
                }
            }
        }
        // p.adjust(p, method, n = number of pairs): a pair without a p still counts in n.
        let adjusted = adjustment.adjust(pairs.map(\.pUsed), n: pairs.count)
        for index in pairs.indices { pairs[index].pAdjusted = adjusted[index] }
        self.adjustment = adjustment
        self.pairs = pairs
    }
}

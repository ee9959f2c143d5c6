/// Pairwise log-rank comparisons: every pair of groups in code order (1-2, 1-3, …, 2-3, …),
/// each `survdiff` refitted on the subjects of its two groups (same strata, same rho), with the
/// p-values adjusted over all the pairs by `p.adjust` — as `refs_v2_lib.R` `logrank_test` and
/// EZR's `pairwise.logrank.test` compute them.
public struct LogRankPairwise: Sendable, Hashable {
    /// One pair's test.
    public struct Pair: Sendable, Hashable {
        /// The group codes compared (`a` < `b`).
        public var a: Int
        /// The second group's code (`b` > `a`).
        public var b: Int
        /// χ² of the refitted test on 1 degree of freedom; `nil` when not estimable.
        public var chiSquare: Double?
        /// The unadjusted p (`pchisq(chisq, 1, lower.tail = FALSE)`).
        public var p: Double?
        /// The p the adjustment used: `p`, or `signif(p, 3)` when rounding (EZR).
        public var pUsed: Double?
        /// `p.adjust(pUsed, method, n = number of pairs)`; `nil` when `p` is.
        public var pAdjusted: Double?
        /// Why the test is not estimable, when it is not.
        public var reason: String?
    }

    /// The `p.adjust` method applied over the pairs.
    public let adjustment: PValueAdjustment
    /// The pairs in R's `combn` order over the groups with subjects: (1, 2), (1, 3), …, (2, 3), ….
    /// Empty when the grouping has more than ``maximumGroups`` groups with subjects.
    public let pairs: [Pair]
    /// Why no pairs were compared (too many groups), `nil` otherwise.
    public let reason: String?

    /// The most groups compared pairwise: 50 groups give 1,225 pairs; beyond, the table of
    /// pairs would not be readable and its cost grows with the square of the groups.
    public static let maximumGroups = 50

    /// The index in ``pairs`` of the pair of the `i`-th and `j`-th groups with subjects
    /// (`i` < `j`, both in `0..<present`), in `combn` order.
    public static func pairIndex(_ i: Int, _ j: Int, present: Int) -> Int {
        i * (2 * present - i - 1) / 2 + (j - i - 1)
    }

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
        let codes = groups.timeOrdered
        let strataCodes = strata?.timeOrdered
        let strataCount = max(strata?.count ?? 1, 1)
        let event = data.sortedEvent
        let n = codes.count
        self.adjustment = adjustment
        // Subjects and events per group, and the groups with subjects (one pass).
        var sizes = [Int](repeating: 0, count: k)
        var events = [Int](repeating: 0, count: k)
        var stratumSizes = [Int](repeating: 0, count: strataCount)
        for j in 0..<n {
            let g = Int(codes[j])
            let st = strataCodes.map { Int($0[j]) } ?? 0
            guard g >= 0, g < k, st >= 0, st < strataCount else { continue }
            sizes[g] += 1
            stratumSizes[st] += 1
            if event[j] { events[g] += 1 }
        }
        let present = (0..<k).filter { sizes[$0] > 0 }
        guard present.count <= Self.maximumGroups else {
            self.pairs = []
            self.reason =
                "not computed: \(present.count) groups would give \(present.count * (present.count - 1) / 2) pairs; "
                + "pairwise comparisons are limited to \(Self.maximumGroups) groups"
            return
        }
        // Every subject's time-ordered position sorted by (group, stratum, time): a stable
        // counting sort by stratum, then a stable one by group. Group g is one contiguous
        // block; within it, each stratum that occurs is a run in time order. No cell exists
        // for a (group, stratum) that does not occur.
        var stratumStarts = [Int](repeating: 0, count: strataCount + 1)
        for st in 0..<strataCount { stratumStarts[st + 1] = stratumStarts[st] + stratumSizes[st] }
        let used = stratumStarts[strataCount]
        var byStratum = [Int32](repeating: 0, count: used)
        var next = Array(stratumStarts.dropLast())
        for j in 0..<n {
            let g = Int(codes[j])
            let st = strataCodes.map { Int($0[j]) } ?? 0
            guard g >= 0, g < k, st >= 0, st < strataCount else { continue }
            byStratum[next[st]] = Int32(j)
            next[st] += 1
        }
        var groupStarts = [Int](repeating: 0, count: k + 1)
        for g in 0..<k { groupStarts[g + 1] = groupStarts[g] + sizes[g] }
        var sorted = [Int32](repeating: 0, count: used)
        var groupNext = Array(groupStarts.dropLast())
        for position in byStratum {
            let g = Int(codes[Int(position)])
            sorted[groupNext[g]] = position
            groupNext[g] += 1
        }
        // Each group's runs: (stratum, start) with the run ending where the next begins.
        var runStratum: [Int32] = []
        var runStart: [Int] = []
        var groupRuns = [Int](repeating: 0, count: k + 1)
        for g in 0..<k {
            groupRuns[g] = runStratum.count
            var q = groupStarts[g]
            while q < groupStarts[g + 1] {
                let st = strataCodes.map { $0[Int(sorted[q])] } ?? 0
                runStratum.append(st)
                runStart.append(q)
                while q < groupStarts[g + 1] && (strataCodes.map { $0[Int(sorted[q])] } ?? 0) == st { q += 1 }
            }
        }
        groupRuns[k] = runStratum.count
        runStart.append(used)

        var pairs: [Pair] = []
        pairs.reserveCapacity(present.count * (present.count - 1) / 2)
        var positions: [Int32] = []
        var pairCodes: [Int32] = []
        var starts: [Int] = []
        for (i, a) in present.enumerated() {
            for b in present.dropFirst(i + 1) {
                // The pair's subjects recoded to groups 0 (a) and 1 (b), stratum by stratum in
                // stratum order (R's interaction levels of the subset), each in time order.
                positions.removeAll(keepingCapacity: true)
                pairCodes.removeAll(keepingCapacity: true)
                starts.removeAll(keepingCapacity: true)
                starts.append(0)
                var ra = groupRuns[a]
                var rb = groupRuns[b]
                while ra < groupRuns[a + 1] || rb < groupRuns[b + 1] {
                    let sa = ra < groupRuns[a + 1] ? runStratum[ra] : Int32.max
                    let sb = rb < groupRuns[b + 1] ? runStratum[rb] : Int32.max
                    var x = 0
                    var xEnd = 0
                    var y = 0
                    var yEnd = 0
                    if sa <= sb {
                        x = runStart[ra]
                        xEnd = runStart[ra + 1]
                        ra += 1
                    }
                    if sb <= sa {
                        y = runStart[rb]
                        yEnd = runStart[rb + 1]
                        rb += 1
                    }
                    while x < xEnd || y < yEnd {
                        if y >= yEnd || (x < xEnd && sorted[x] < sorted[y]) {
                            positions.append(sorted[x])
                            pairCodes.append(0)
                            x += 1
                        } else {
                            positions.append(sorted[y])
                            pairCodes.append(1)
                            y += 1
                        }
                    }
                    starts.append(positions.count)
                }
                let layout = LogRankTest.Layout(
                    positions: positions, codes: pairCodes, starts: starts, counts: [sizes[a], sizes[b]],
                    events: [events[a], events[b]])
                do {
                    let test = try LogRankTest(data, groupCount: 2, layout: layout, rho: rho)
                    // refs_v2_lib.R: pchisq(s2$chisq, 1, lower.tail = FALSE) (1 when χ² = 0:
                    // one of the two groups has no expected event).
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
        self.pairs = pairs
        self.reason = nil
    }
}

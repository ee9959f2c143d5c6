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
        let codes = groups.timeOrdered
        let strataCodes = strata?.timeOrdered
        let strataCount = max(strata?.count ?? 1, 1)
        let event = data.sortedEvent
        // Every subject's time-ordered position, sorted by (group, stratum) with a stable
        // counting sort: cell (g, s) is a run in time order. A pair's layout merges its two
        // groups' runs stratum by stratum, so each pair costs the size of its two groups.
        let cells = k * strataCount
        var cellSizes = [Int](repeating: 0, count: cells)
        var cellOf = [Int32](repeating: -1, count: codes.count)
        var events = [Int](repeating: 0, count: k)
        for j in codes.indices {
            let g = Int(codes[j])
            let st = strataCodes.map { Int($0[j]) } ?? 0
            guard g >= 0, g < k, st >= 0, st < strataCount else { continue }
            let cell = g * strataCount + st
            cellOf[j] = Int32(cell)
            cellSizes[cell] += 1
            if event[j] { events[g] += 1 }
        }
        var cellStarts = [Int](repeating: 0, count: cells + 1)
        for c in 0..<cells { cellStarts[c + 1] = cellStarts[c] + cellSizes[c] }
        var sorted = [Int32](repeating: 0, count: cellStarts[cells])
        var next = Array(cellStarts.dropLast())
        for j in codes.indices {
            let c = Int(cellOf[j])
            if c < 0 { continue }
            sorted[next[c]] = Int32(j)
            next[c] += 1
        }
        var sizes = [Int](repeating: 0, count: k)
        for g in 0..<k { sizes[g] = cellStarts[(g + 1) * strataCount] - cellStarts[g * strataCount] }
        let present = (0..<k).filter { sizes[$0] > 0 }
        var pairs: [Pair] = []
        for (i, a) in present.enumerated() {
            for b in present.dropFirst(i + 1) {
                var positions: [Int32] = []
                positions.reserveCapacity(sizes[a] + sizes[b])
                var starts = [0]
                for st in 0..<strataCount {
                    var x = cellStarts[a * strataCount + st]
                    let xEnd = cellStarts[a * strataCount + st + 1]
                    var y = cellStarts[b * strataCount + st]
                    let yEnd = cellStarts[b * strataCount + st + 1]
                    while x < xEnd || y < yEnd {
                        if y >= yEnd || (x < xEnd && sorted[x] < sorted[y]) {
                            positions.append(sorted[x])
                            x += 1
                        } else {
                            positions.append(sorted[y])
                            y += 1
                        }
                    }
                    starts.append(positions.count)
                }
                var counts = [Int](repeating: 0, count: k)
                var pairEvents = [Int](repeating: 0, count: k)
                counts[a] = sizes[a]
                counts[b] = sizes[b]
                pairEvents[a] = events[a]
                pairEvents[b] = events[b]
                let layout = LogRankTest.Layout(positions: positions, starts: starts, counts: counts, events: pairEvents)
                do {
                    let test = try LogRankTest(data, codes: codes, groupCount: k, layout: layout, rho: rho)
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

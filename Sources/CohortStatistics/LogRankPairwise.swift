import RealModule

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
        guard rho >= 0, rho.isFinite else {
            throw StatisticsError(.invalidParameter, "rho must be a finite number ≥ 0, not \(rho)")
        }
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
        // Each group's runs (stratum, first subject), each reduced to its distinct times:
        // (time, deaths, subjects leaving), in one pass over the sorted positions. A pair's test
        // only needs these counts, so each pair costs its distinct times, not its subjects; the
        // sums are of whole numbers, so the arithmetic is survdiff's, step by step.
        let time = data.sortedTime
        var runStratum: [Int32] = []
        var runStart: [Int] = []
        var runEntries: [Int] = []
        var groupRuns = [Int](repeating: 0, count: k + 1)
        var entryTime: [Double] = []
        var entryDeaths: [Int32] = []
        var entryLeaving: [Int32] = []
        for g in 0..<k {
            groupRuns[g] = runStratum.count
            var stratum: Int32 = -1
            for q in groupStarts[g]..<groupStarts[g + 1] {
                let j = Int(sorted[q])
                let st = strataCodes.map { $0[j] } ?? 0
                let death: Int32 = event[j] ? 1 : 0
                if st != stratum || q == groupStarts[g] {
                    stratum = st
                    runStratum.append(st)
                    runStart.append(q)
                    runEntries.append(entryTime.count)
                } else if let last = entryTime.last, last == time[j] {
                    entryDeaths[entryDeaths.count - 1] += death
                    entryLeaving[entryLeaving.count - 1] += 1
                    continue
                }
                entryTime.append(time[j])
                entryDeaths.append(death)
                entryLeaving.append(1)
            }
        }
        groupRuns[k] = runStratum.count
        runStart.append(used)
        runEntries.append(entryTime.count)
        let tables = RunTables(
            stratum: runStratum, start: runStart, entries: runEntries, time: entryTime, deaths: entryDeaths, leaving: entryLeaving)

        var pairs: [Pair] = []
        pairs.reserveCapacity(present.count * (present.count - 1) / 2)
        for (i, a) in present.enumerated() {
            for b in present.dropFirst(i + 1) {
                do {
                    let test = try Self.pairTest(
                        tables, runs: groupRuns[a]..<groupRuns[a + 1], groupRuns[b]..<groupRuns[b + 1], rho: rho,
                        counts: [sizes[a], sizes[b]], events: [events[a], events[b]])
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

    /// Each group's runs (one per stratum it has subjects in), reduced to distinct times.
    struct RunTables {
        /// The stratum of each run; a group's runs are in stratum order.
        var stratum: [Int32]
        /// Run `r` has `start[r + 1] − start[r]` subjects.
        var start: [Int]
        /// Run `r`'s distinct times are entries `entries[r]..<entries[r + 1]`, in time order.
        var entries: [Int]
        /// Per entry: the time, the deaths at it, and the subjects whose time it is (they leave
        /// the risk set after it).
        var time: [Double]
        var deaths: [Int32]
        var leaving: [Int32]
    }

    /// One pair's test, stratum by stratum: the same sums as ``LogRankTest`` over the pair's
    /// subjects (survdiff's algorithm for two groups), from the per-time counts of the runs.
    static func pairTest(
        _ t: RunTables, runs runsA: Range<Int>, _ runsB: Range<Int>, rho: Double, counts: [Int], events: [Int]
    ) throws -> LogRankTest {
        var o0 = 0.0
        var o1 = 0.0
        var e0 = 0.0
        var e1 = 0.0
        var v00 = 0.0
        var v01 = 0.0
        var v10 = 0.0
        var v11 = 0.0
        var ra = runsA.lowerBound
        var rb = runsB.lowerBound
        while ra < runsA.upperBound || rb < runsB.upperBound {
            let sa = ra < runsA.upperBound ? t.stratum[ra] : Int32.max
            let sb = rb < runsB.upperBound ? t.stratum[rb] : Int32.max
            // Entry ranges of the stratum's run of each group (empty when it has none).
            var x = 0
            var xEnd = 0
            var y = 0
            var yEnd = 0
            var risk0 = 0.0
            var risk1 = 0.0
            if sa <= sb {
                x = t.entries[ra]
                xEnd = t.entries[ra + 1]
                risk0 = Double(t.start[ra + 1] - t.start[ra])
                ra += 1
            }
            if sb <= sa {
                y = t.entries[rb]
                yEnd = t.entries[rb + 1]
                risk1 = Double(t.start[rb + 1] - t.start[rb])
                rb += 1
            }
            var remaining = Int(risk0 + risk1)
            var km = 1.0  // pooled Kaplan–Meier just before the current time (left-continuous)
            while x < xEnd || y < yEnd {
                let hasX = x < xEnd
                let hasY = y < yEnd
                let takeX = hasX && (!hasY || t.time[x] <= t.time[y])
                let takeY = hasY && (!hasX || t.time[y] <= t.time[x])
                var d0 = 0.0
                var d1 = 0.0
                var leaving = 0
                var leave0 = 0.0
                var leave1 = 0.0
                if takeX {
                    d0 = Double(t.deaths[x])
                    leave0 = Double(t.leaving[x])
                    leaving += Int(t.leaving[x])
                    x += 1
                }
                if takeY {
                    d1 = Double(t.deaths[y])
                    leave1 = Double(t.leaving[y])
                    leaving += Int(t.leaving[y])
                    y += 1
                }
                let d = d0 + d1
                let nr = Double(remaining)
                if d > 0 {
                    // The order of LogRankTest's (and survdiff's) operations, for k = 2.
                    let w = rho == 0 ? 1 : Double.pow(km, rho)
                    let dd = d
                    o0 += w * d0
                    o1 += w * d1
                    e0 += w * dd * risk0 / nr
                    e1 += w * dd * risk1 / nr
                    if remaining > 1 {
                        let kt = w * w * dd * (nr - dd) / (nr * (nr - 1))
                        if risk0 > 0 {
                            let tmp = kt * risk0
                            v00 += tmp
                            v00 -= tmp * risk0 / nr
                            v01 -= tmp * risk1 / nr
                        }
                        if risk1 > 0 {
                            let tmp = kt * risk1
                            v11 += tmp
                            v10 -= tmp * risk0 / nr
                            v11 -= tmp * risk1 / nr
                        }
                    }
                    km *= (nr - dd) / nr
                }
                risk0 -= leave0
                risk1 -= leave1
                remaining -= leaving
            }
        }
        return try LogRankTest(
            rho: rho, observed: [o0, o1], expected: [e0, e1], variance: [v00, v01, v10, v11], counts: counts, events: events,
            used: counts[0] + counts[1])
    }
}

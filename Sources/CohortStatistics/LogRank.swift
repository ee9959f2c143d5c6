import RealModule

/// The G-rho family of k-sample tests for survival curves, computed as R's `survdiff`:
/// rho = 0 is the log-rank test, rho = 1 the Peto & Peto modification of the Gehan–Wilcoxon test.
///
/// With strata, observed and expected counts and the variance are accumulated within each
/// stratum and summed, as `survdiff(Surv(time, event) ~ group + strata(s))` does.
public struct LogRankTest: Sendable, Hashable {
    /// One group's row of the test.
    public struct Group: Sendable, Hashable {
        /// Subjects in the group.
        public var count: Int
        /// Events in the group (unweighted).
        public var events: Int
        /// Weighted observed events (equals `events` for rho = 0).
        public var observed: Double
        /// Weighted expected events under the null hypothesis.
        public var expected: Double
    }

    /// The weight exponent: 0 = log-rank, 1 = Peto & Peto.
    public let rho: Double
    /// One entry per group code, in code order (a code without subjects has zeros).
    public let groups: [Group]
    /// The variance matrix of observed − expected.
    public let variance: [[Double]]
    /// The test statistic (O − E)ᵀ V⁻ (O − E) over the groups with expected > 0, less one.
    public let chiSquare: Double
    /// Groups with expected > 0, minus one (survdiff's `df`; 0 when only one group has an
    /// expected event, where χ² = 0 and p = 1 as survdiff gives).
    public let degreesOfFreedom: Int
    /// `pchisq(chiSquare, degreesOfFreedom, lower.tail = FALSE)`.
    public let p: Double
    /// Subjects used (those with a group code ≥ 0).
    public let countUsed: Int

    /// Runs the test.
    ///
    /// - Parameters:
    ///   - group: a code in `0..<groupCount` per subject, negative to leave the subject out.
    ///   - strata: optional stratum codes `0..<strataCount` (negative leaves the subject out).
    /// - Throws: `too_few_groups` unless two groups have subjects, `too_few_events` when no group
    ///   has an expected event, `singular_matrix` when the variance cannot be inverted,
    ///   `invalid_parameter` for a negative or non-finite rho or an out-of-range code.
    public init(
        _ data: SurvivalData, group: [Int32], groupCount: Int,
        strata: [Int32]? = nil, strataCount: Int = 1, rho: Double = 0
    ) throws {
        try self.init(
            data, groups: data.assign(group, count: groupCount),
            strata: strata.map { try data.assign($0, count: strataCount) }, rho: rho)
    }

    /// Runs the test on group (and stratum) assignments made once with ``SurvivalData/assign(_:count:)``.
    ///
    /// - Parameter included: when given, only the subjects of the groups marked `true` take part
    ///   (a pairwise comparison refitted on two groups, as `survdiff` on `subset`); the other
    ///   groups keep rows of zeros.
    public init(
        _ data: SurvivalData, groups: SurvivalData.GroupAssignment, strata strataAssignment: SurvivalData.GroupAssignment? = nil,
        rho: Double = 0, including included: [Bool]? = nil
    ) throws {
        guard rho >= 0, rho.isFinite else {
            throw StatisticsError(.invalidParameter, "rho must be a finite number ≥ 0, not \(rho)")
        }
        let k = groups.count
        if let included, included.count != k {
            throw StatisticsError(.lengthMismatch, "\(k) groups but \(included.count) inclusion flags")
        }
        let strataCount = max(strataAssignment?.count ?? 1, 1)
        var counts = [Int](repeating: 0, count: k)
        var events = [Int](repeating: 0, count: k)

        // Group and stratum codes in time order; subjects with a negative code, or of a group
        // not included, are left out.
        let codes = groups.timeOrdered
        let strataCodes = strataAssignment?.timeOrdered
        let event = data.sortedEvent
        let n = codes.count
        let take = included ?? [Bool](repeating: true, count: k)
        if strataCodes == nil {
            // One stratum: the positions taking part are already in time order. When every subject
            // takes part (the usual case) they are all of them, and the codes are the assignment's
            // own: no per-subject array is made.
            var used = 0
            for j in 0..<n {
                let g = Int(codes[j])
                guard g >= 0, g < k, take[g] else { continue }
                used += 1
                counts[g] += 1
                if event[j] { events[g] += 1 }
            }
            if used == n {
                try self.init(
                    data, groupCount: k, layout: Layout(positions: nil, codes: codes, starts: [0, n], counts: counts, events: events),
                    rho: rho)
                return
            }
            var positions: [Int32] = []
            var positionCodes: [Int32] = []
            positions.reserveCapacity(used)
            positionCodes.reserveCapacity(used)
            for j in 0..<n {
                let g = Int(codes[j])
                guard g >= 0, g < k, take[g] else { continue }
                positions.append(Int32(j))
                positionCodes.append(codes[j])
            }
            try self.init(
                data, groupCount: k,
                layout: Layout(positions: positions, codes: positionCodes, starts: [0, positions.count], counts: counts, events: events),
                rho: rho)
            return
        }
        // Each stratum's subjects in time order: a stable counting sort of the time-ordered
        // positions by stratum, so that every stratum is one contiguous run (one pass each).
        var stratumSizes = [Int](repeating: 0, count: strataCount)
        var stratumOf = [Int32](repeating: -1, count: n)
        for j in 0..<n {
            let g = Int(codes[j])
            guard g >= 0, g < k, take[g] else { continue }
            let s = strataCodes.map { Int($0[j]) } ?? 0
            guard s >= 0, s < strataCount else { continue }
            stratumOf[j] = Int32(s)
            stratumSizes[s] += 1
            counts[g] += 1
            if event[j] { events[g] += 1 }
        }
        let used = counts.reduce(0, +)
        var starts = [Int](repeating: 0, count: strataCount + 1)
        for s in 0..<strataCount { starts[s + 1] = starts[s] + stratumSizes[s] }
        var positions = [Int32](repeating: 0, count: used)
        var positionCodes = [Int32](repeating: 0, count: used)
        var next = Array(starts.dropLast())
        for j in 0..<n {
            let s = Int(stratumOf[j])
            if s < 0 { continue }
            positions[next[s]] = Int32(j)
            positionCodes[next[s]] = codes[j]
            next[s] += 1
        }
        try self.init(
            data, groupCount: k,
            layout: Layout(positions: positions, codes: positionCodes, starts: starts, counts: counts, events: events), rho: rho)
    }

    /// The subjects taking part, laid out for one pass per stratum.
    struct Layout {
        /// Positions in time order (indices into the time-ordered arrays), stratum by stratum,
        /// each stratum in time order; `nil` when every subject takes part in one stratum
        /// (position `q` is subject `q` in time order).
        var positions: [Int32]?
        /// The group code (`0..<groupCount`) of each position, aligned with `positions` (so a
        /// pairwise comparison recodes its two groups to 0 and 1 without an array per subject).
        var codes: [Int32]
        /// Stratum `s` is `positions[starts[s]..<starts[s + 1]]`.
        var starts: [Int]
        /// Subjects and events per group among the positions.
        var counts: [Int]
        var events: [Int]
    }

    /// The test on subjects already laid out by stratum (shared by ``LogRankPairwise``, which
    /// lays out each pair from per-group lists without scanning every subject again).
    init(_ data: SurvivalData, groupCount k: Int, layout: Layout, rho: Double) throws {
        guard rho >= 0, rho.isFinite else {
            throw StatisticsError(.invalidParameter, "rho must be a finite number ≥ 0, not \(rho)")
        }
        let counts = layout.counts
        let events = layout.events
        let every = layout.positions == nil
        let positions = layout.positions ?? []
        let codes = layout.codes
        let starts = layout.starts
        let strataCount = max(starts.count - 1, 0)
        let used = every ? codes.count : positions.count
        guard counts.filter({ $0 > 0 }).count >= 2 else {
            throw StatisticsError(.tooFewGroups, "a survival comparison needs at least two groups with subjects")
        }
        var observed = [Double](repeating: 0, count: k)
        var expected = [Double](repeating: 0, count: k)
        var variance = [Double](repeating: 0, count: k * k)
        let time = data.sortedTime
        let event = data.sortedEvent

        var atRisk = [Double](repeating: 0, count: k)
        var deaths = [Double](repeating: 0, count: k)
        // The passes below read the time-ordered arrays through buffer pointers (a million rows
        // per grouping); the arithmetic and its order are survdiff's.
        codes.withUnsafeBufferPointer { codes in
            time.withUnsafeBufferPointer { time in
                event.withUnsafeBufferPointer { event in
                    positions.withUnsafeBufferPointer { positions in
                        atRisk.withUnsafeMutableBufferPointer { atRisk in
                            deaths.withUnsafeMutableBufferPointer { deaths in
                                observed.withUnsafeMutableBufferPointer { observed in
                                    expected.withUnsafeMutableBufferPointer { expected in
                                        variance.withUnsafeMutableBufferPointer { variance in
                                            for stratum in 0..<strataCount {
                                                let first = starts[stratum]
                                                let last = starts[stratum + 1]
                                                if first == last { continue }
                                                for g in 0..<k { atRisk[g] = 0 }
                                                for q in first..<last { atRisk[Int(codes[q])] += 1 }
                                                var remaining = last - first
                                                var km = 1.0  // pooled Kaplan–Meier just before the current time (left-continuous)
                                                var q = first
                                                while q < last {
                                                    let t = time[every ? q : Int(positions[q])]
                                                    for g in 0..<k { deaths[g] = 0 }
                                                    var d = 0
                                                    var end = q
                                                    while end < last && time[every ? end : Int(positions[end])] == t {
                                                        if event[every ? end : Int(positions[end])] {
                                                            deaths[Int(codes[end])] += 1
                                                            d += 1
                                                        }
                                                        end += 1
                                                    }
                                                    let nr = Double(remaining)
                                                    if d > 0 {
                                                        let w = rho == 0 ? 1 : Double.pow(km, rho)
                                                        let dd = Double(d)
                                                        for g in 0..<k {
                                                            observed[g] += w * deaths[g]
                                                            expected[g] += w * dd * atRisk[g] / nr
                                                        }
                                                        if remaining > 1 {
                                                            let kt = w * w * dd * (nr - dd) / (nr * (nr - 1))
                                                            for a in 0..<k where atRisk[a] > 0 {
                                                                let tmp = kt * atRisk[a]
                                                                variance[a * k + a] += tmp
                                                                for b in 0..<k { variance[a * k + b] -= tmp * atRisk[b] / nr }
                                                            }
                                                        }
                                                        km *= (nr - dd) / nr
                                                    }
                                                    // Everyone observed at t leaves the risk set after t.
                                                    for idx in q..<end { atRisk[Int(codes[idx])] -= 1 }
                                                    remaining -= end - q
                                                    q = end
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        try self.init(
            rho: rho, observed: observed, expected: expected, variance: variance, counts: counts, events: events, used: used)
    }

    /// The test from survdiff's sums: observed and expected per group and the variance matrix
    /// (`k × k`, row-major), summed over strata (shared by ``LogRankPairwise``, which sums them
    /// from per-time counts).
    init(
        rho: Double, observed: [Double], expected: [Double], variance: [Double], counts: [Int], events: [Int], used: Int
    ) throws {
        let k = counts.count
        guard counts.filter({ $0 > 0 }).count >= 2 else {
            throw StatisticsError(.tooFewGroups, "a survival comparison needs at least two groups with subjects")
        }
        // survdiff: groups with expected = 0 are left out (`df <- (etmp > 0)`); with fewer than
        // two left, `chi <- 0` and survdiff's `pvalue` is pchisq(0, 0, lower.tail = FALSE) = 1 —
        // unless there is no event at all, where survdiff's p is NaN (df = −1): not estimable.
        let tested = (0..<k).filter { expected[$0] > 0 }
        guard !tested.isEmpty else {
            throw StatisticsError(.tooFewEvents, "no events in the groups compared, so the curves cannot be tested")
        }
        var chi = 0.0
        // survdiff: drop the first group with expected > 0 and solve the remaining system.
        let kept = Array(tested.dropFirst())
        if !kept.isEmpty {
            let difference = kept.map { observed[$0] - expected[$0] }
            let matrix = kept.map { a in kept.map { b in variance[a * k + b] } }
            guard let solution = SymmetricMatrix(matrix).solve(difference) else {
                throw StatisticsError(.singularMatrix, "the variance of observed minus expected events is singular")
            }
            chi = zip(solution, difference).reduce(0) { $0 + $1.0 * $1.1 }
        }
        self.rho = rho
        self.groups = (0..<k).map { Group(count: counts[$0], events: events[$0], observed: observed[$0], expected: expected[$0]) }
        self.variance = (0..<k).map { a in (0..<k).map { b in variance[a * k + b] } }
        self.chiSquare = chi
        self.degreesOfFreedom = kept.count
        // survdiff: pvalue <- pchisq(chi, df, lower.tail = FALSE), df = (groups with E > 0) − 1.
        self.p = kept.isEmpty ? 1 : ChiSquared.upperTail(chi, df: Double(kept.count)) ?? 1
        self.countUsed = used
    }
}

extension LogRankTest {
    /// The test without strata from subjects counted by time and group
    /// (``SurvivalData/groupTimeTable(bytes:count:)``): the same sums, in the same order, as
    /// ``init(_:groups:strata:rho:including:)`` makes subject by subject, so the same numbers.
    ///
    /// - Throws: as ``init(_:groups:strata:rho:including:)``.
    public init(_ table: SurvivalData.GroupTimeTable, rho: Double = 0) throws {
        guard rho >= 0, rho.isFinite else {
            throw StatisticsError(.invalidParameter, "rho must be a finite number ≥ 0, not \(rho)")
        }
        let k = table.groupCount
        var counts = [Int](repeating: 0, count: k)
        var events = [Int](repeating: 0, count: k)
        for t in table.times.indices {
            for g in 0..<k {
                let (e, c) = table.cell(t, g)
                counts[g] += e + c
                events[g] += e
            }
        }
        let used = counts.reduce(0, +)
        guard counts.filter({ $0 > 0 }).count >= 2 else {
            throw StatisticsError(.tooFewGroups, "a survival comparison needs at least two groups with subjects")
        }
        var observed = [Double](repeating: 0, count: k)
        var expected = [Double](repeating: 0, count: k)
        var variance = [Double](repeating: 0, count: k * k)
        // survdiff's sums over the distinct times (see the subject-by-subject pass above: there
        // the risk sets shrink one subject at a time, here by each time's count; both exact).
        var atRisk = counts.map(Double.init)
        var deaths = [Double](repeating: 0, count: k)
        var remaining = used
        var km = 1.0
        for t in table.times.indices {
            var d = 0
            var leaving = 0
            for g in 0..<k {
                let (e, c) = table.cell(t, g)
                deaths[g] = Double(e)
                d += e
                leaving += e + c
            }
            if leaving == 0 { continue }
            let nr = Double(remaining)
            if d > 0 {
                let w = rho == 0 ? 1 : Double.pow(km, rho)
                let dd = Double(d)
                for g in 0..<k {
                    observed[g] += w * deaths[g]
                    expected[g] += w * dd * atRisk[g] / nr
                }
                if remaining > 1 {
                    let kt = w * w * dd * (nr - dd) / (nr * (nr - 1))
                    for a in 0..<k where atRisk[a] > 0 {
                        let tmp = kt * atRisk[a]
                        variance[a * k + a] += tmp
                        for b in 0..<k { variance[a * k + b] -= tmp * atRisk[b] / nr }
                    }
                }
                km *= (nr - dd) / nr
            }
            for g in 0..<k {
                let (e, c) = table.cell(t, g)
                atRisk[g] -= Double(e + c)
            }
            remaining -= leaving
        }
        try self.init(
            rho: rho, observed: observed, expected: expected, variance: variance, counts: counts, events: events, used: used)
    }
}

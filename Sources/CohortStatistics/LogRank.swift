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

    public let rho: Double
    /// One entry per group code, in code order (a code without subjects has zeros).
    public let groups: [Group]
    /// The variance matrix of observed − expected.
    public let variance: [[Double]]
    public let chiSquare: Double
    /// Groups with expected > 0, minus one.
    public let degreesOfFreedom: Int
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
    public init(
        _ data: SurvivalData, groups: SurvivalData.GroupAssignment, strata strataAssignment: SurvivalData.GroupAssignment? = nil,
        rho: Double = 0
    ) throws {
        guard rho >= 0, rho.isFinite else {
            throw StatisticsError(.invalidParameter, "rho must be a finite number ≥ 0, not \(rho)")
        }
        let groupCount = groups.count
        let strata = strataAssignment
        let strataCount = strataAssignment?.count ?? 1
        let k = groupCount
        var observed = [Double](repeating: 0, count: k)
        var expected = [Double](repeating: 0, count: k)
        var variance = [Double](repeating: 0, count: k * k)
        var counts = [Int](repeating: 0, count: k)
        var events = [Int](repeating: 0, count: k)

        // Group and stratum codes in time order; subjects with a negative code are left out.
        let codes = groups.timeOrdered
        let strataCodes = strata?.timeOrdered
        let time = data.sortedTime
        let event = data.sortedEvent
        let n = codes.count
        var used = 0
        for k in 0..<n {
            let g = codes[k]
            guard g >= 0, (strataCodes?[k] ?? 0) >= 0 else { continue }
            counts[Int(g)] += 1
            if event[k] { events[Int(g)] += 1 }
            used += 1
        }
        guard counts.filter({ $0 > 0 }).count >= 2 else {
            throw StatisticsError(.tooFewGroups, "a survival comparison needs at least two groups with subjects")
        }

        var atRisk = [Double](repeating: 0, count: k)
        var deaths = [Double](repeating: 0, count: k)
        // The passes below read the time-ordered arrays through buffer pointers (a million rows
        // per grouping); the arithmetic and its order are survdiff's.
        codes.withUnsafeBufferPointer { codes in
            time.withUnsafeBufferPointer { time in
                event.withUnsafeBufferPointer { event in
                    atRisk.withUnsafeMutableBufferPointer { atRisk in
                        deaths.withUnsafeMutableBufferPointer { deaths in
                            observed.withUnsafeMutableBufferPointer { observed in
                                expected.withUnsafeMutableBufferPointer { expected in
                                    variance.withUnsafeMutableBufferPointer { variance in
                                        for stratum in 0..<(strata == nil ? 1 : strataCount) {
                                            // Subject k belongs to this pass when its group and stratum codes say so.
                                            @inline(__always) func member(_ k: Int) -> Bool {
                                                codes[k] >= 0 && (strataCodes.map { Int($0[k]) == stratum } ?? true)
                                            }
                                            for g in 0..<k { atRisk[g] = 0 }
                                            var remaining = 0
                                            for j in 0..<n where member(j) {
                                                atRisk[Int(codes[j])] += 1
                                                remaining += 1
                                            }
                                            if remaining == 0 { continue }
                                            var km = 1.0  // pooled Kaplan–Meier just before the current time (left-continuous)
                                            var j = 0
                                            while j < n {
                                                if !member(j) {
                                                    j += 1
                                                    continue
                                                }
                                                let t = time[j]
                                                for g in 0..<k { deaths[g] = 0 }
                                                var d = 0
                                                var leaving = 0
                                                var end = j
                                                while end < n && time[end] == t {
                                                    if member(end) {
                                                        leaving += 1
                                                        if event[end] {
                                                            deaths[Int(codes[end])] += 1
                                                            d += 1
                                                        }
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
                                                for idx in j..<end where member(idx) { atRisk[Int(codes[idx])] -= 1 }
                                                remaining -= leaving
                                                j = end
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

        let tested = (0..<k).filter { expected[$0] > 0 }
        guard tested.count >= 2 else {
            throw StatisticsError(.tooFewEvents, "no events in the groups compared, so the curves cannot be tested")
        }
        // survdiff: drop the first group with expected > 0 and solve the remaining system.
        let kept = Array(tested.dropFirst())
        let difference = kept.map { observed[$0] - expected[$0] }
        let matrix = kept.map { a in kept.map { b in variance[a * k + b] } }
        guard let solution = SymmetricMatrix(matrix).solve(difference) else {
            throw StatisticsError(.singularMatrix, "the variance of observed minus expected events is singular")
        }
        let chi = zip(solution, difference).reduce(0) { $0 + $1.0 * $1.1 }
        self.rho = rho
        self.groups = (0..<k).map { Group(count: counts[$0], events: events[$0], observed: observed[$0], expected: expected[$0]) }
        self.variance = (0..<k).map { a in (0..<k).map { b in variance[a * k + b] } }
        self.chiSquare = chi
        self.degreesOfFreedom = kept.count
        self.p = ChiSquared.upperTail(chi, df: Double(kept.count)) ?? 1
        self.countUsed = used
    }
}

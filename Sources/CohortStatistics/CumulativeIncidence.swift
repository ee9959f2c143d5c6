/// The cumulative incidence function of every cause in one group, with Aalen's variance:
/// `cmprsk::cuminc`'s estimate (its Fortran `cinc`), computed for all causes in one pass over
/// the group's subjects in time order.
///
/// F_c(t) = Σ_{t_j ≤ t} S(t_j−) d_cj / n_j, with S the Kaplan–Meier estimate of being free of
/// every cause; the variance is `cinc`'s (Aalen 1978 / Gray), including its correction
/// 1 − (d − 1)/(n − 1) for tied events.
public struct CumulativeIncidence: Sendable {
    /// The value just after a jump.
    public struct Step: Sendable, Hashable {
        public var time: Double
        public var estimate: Double
        public var variance: Double
    }

    /// The estimate at a requested time (`timepoints()`; `nil` past the last follow-up): the
    /// requested time with the value of the last step at or before it.
    public typealias Point = Step

    /// The number of subjects.
    public let count: Int
    /// The last follow-up time (an event or a censoring); the curves are defined up to it.
    public let lastTime: Double
    /// `steps[c − 1]`: the jumps of cause `c`, in time order (a jump at time 0 included).
    public let steps: [[Step]]
    /// Events of each cause (index `c − 1`).
    public let events: [Int]
    /// Each distinct time and the number at risk just before it (time ≥ it), for risk tables.
    let riskTimes: [Double]
    let riskCounts: [Int]

    /// - Parameter data: one group's subjects in time order.
    public init(_ data: SortedCompetingRisks) {
        let n = data.count
        let causes = data.causeCount
        count = n
        lastTime = data.time.last ?? 0
        var steps = [[Step]](repeating: [], count: causes)
        var events = [Int](repeating: 0, count: causes)
        var f = [Double](repeating: 0, count: causes)
        var v1 = [Double](repeating: 0, count: causes)
        var v2 = [Double](repeating: 0, count: causes)
        var v3 = [Double](repeating: 0, count: causes)
        var d = [Int](repeating: 0, count: causes + 1)
        var riskTimes: [Double] = []
        var riskCounts: [Int] = []
        var fk = 1.0
        var i = 0
        data.time.withUnsafeBufferPointer { time in
            data.cause.withUnsafeBufferPointer { cause in
                while i < n {
                    let t = time[i]
                    let rsCount = n - i
                    let rs = Double(rsCount)
                    for c in 0...causes { d[c] = 0 }
                    var j = i
                    while j < n && time[j] == t {
                        d[Int(cause[j])] += 1
                        j += 1
                    }
                    riskTimes.append(t)
                    riskCounts.append(rsCount)
                    let nd = (j - i) - d[0]
                    if nd > 0 {
                        // cinc: fkn = fk (rs − nd) / rs, the event-free KM just after t.
                        let fkn = fk * (rs - Double(nd)) / rs
                        for c in 0..<causes {
                            let nd1 = d[c + 1]
                            let nd2 = nd - nd1
                            if nd1 > 0 { f[c] += fk * Double(nd1) / rs }
                            if nd2 > 0 && fkn > 0 {
                                // Events of the other causes.
                                let t5 = nd2 > 1 ? 1 - Double(nd2 - 1) / (rs - 1) : 1
                                let t6 = fk * fk * t5 * Double(nd2) / (rs * rs)
                                let t3 = 1 / fkn
                                let t4 = f[c] / fkn
                                v1[c] += t4 * t4 * t6
                                v2[c] += t3 * t4 * t6
                                v3[c] += t3 * t3 * t6
                            }
                            if nd1 > 0 {
                                // Events of this cause (cinc updates v1 alone when fkn = 0).
                                let t5 = nd1 > 1 ? 1 - Double(nd1 - 1) / (rs - 1) : 1
                                let t6 = fk * fk * t5 * Double(nd1) / (rs * rs)
                                let t3 = fkn > 0 ? 1 / fkn : 0
                                let t4 = 1 + t3 * f[c]
                                v1[c] += t4 * t4 * t6
                                v2[c] += t3 * t4 * t6
                                v3[c] += t3 * t3 * t6
                                let t2 = f[c]
                                steps[c].append(Step(time: t, estimate: f[c], variance: v1[c] + t2 * t2 * v3[c] - 2 * t2 * v2[c]))
                                events[c] += nd1
                            }
                        }
                        fk = fkn
                    }
                    i = j
                }
            }
        }
        self.steps = steps
        self.events = events
        self.riskTimes = riskTimes
        self.riskCounts = riskCounts
    }

    /// `cmprsk::timepoints`: the value of cause `c` at each time, from the last jump at or before
    /// it (0 before the first); `nil` past ``lastTime`` or before 0.
    public func at(_ times: [Double], cause c: Int) -> [Point?] {
        let jumps = steps[c - 1]
        return times.map { t in
            guard t >= 0, t <= lastTime else { return nil }
            // The last jump with time ≤ t (binary search: the jumps are in time order).
            var low = 0
            var high = jumps.count
            while low < high {
                let mid = (low + high) / 2
                if jumps[mid].time <= t { low = mid + 1 } else { high = mid }
            }
            guard low > 0 else { return Point(time: t, estimate: 0, variance: 0) }
            let step = jumps[low - 1]
            return Point(time: t, estimate: step.estimate, variance: step.variance)
        }
    }

    /// The number at risk (follow-up time ≥ t) at each time.
    public func atRisk(_ times: [Double]) -> [Int] {
        times.map { t in
            var low = 0
            var high = riskTimes.count
            while low < high {
                let mid = (low + high) / 2
                if riskTimes[mid] < t { low = mid + 1 } else { high = mid }
            }
            return low < riskCounts.count ? riskCounts[low] : 0
        }
    }

    /// EZR's confidence limits of a cumulative incidence F with variance v:
    /// F^exp(∓z·√v / (F log F)) (the log(−log) transform of 1 − F's complement, as EZR prints).
    /// `nil` where the formula is 0/0 or undefined: F = 0 (no event yet) or F = 1.
    public static func confidenceLimits(estimate f: Double, variance v: Double, z: Double) -> (lower: Double, upper: Double)? {
        guard f > 0, f < 1, v >= 0 else { return nil }
        let spread = z * v.squareRoot() / (f * Double.log(f))
        return (Double.pow(f, Double.exp(-spread)), Double.pow(f, Double.exp(spread)))
    }
}

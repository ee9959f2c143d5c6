/// The Kaplan–Meier estimate of a survival curve, with Greenwood standard errors and pointwise
/// confidence limits, computed as R's `survfit(Surv(time, event) ~ 1)` does.
///
/// The table has one row per distinct observed time (event or censoring), like
/// `summary(fit, censored = TRUE)`. At equal times events are counted before censorings, so a
/// subject censored at t is in the risk set of the deaths at t.
public struct KaplanMeier: Sendable, Hashable {
    /// One distinct observed time of the curve.
    public struct Row: Sendable, Hashable {
        public var time: Double
        /// Subjects with follow-up ≥ `time`.
        public var atRisk: Int
        public var events: Int
        public var censored: Int
        /// S(time), the estimate just after `time`.
        public var survival: Double
        /// Greenwood standard error of S; `nil` where it is not finite (S = 0 after the last subject died).
        public var standardError: Double?
        /// Pointwise limits (`SurvivalConfidence`); `nil` where S = 0, and for log-log where S = 1.
        public var lower: Double?
        public var upper: Double?
    }

    /// Survival at a requested time, as R's `summary(fit, times, extend = FALSE)` reports it.
    public struct Point: Sendable, Hashable {
        public var time: Double
        /// Subjects still under observation at `time` (follow-up ≥ time).
        public var atRisk: Int
        /// Events in (previous requested time, time].
        public var events: Int
        public var survival: Double
        public var standardError: Double?
        /// The limits of the row the time takes; 1 and 1 for every type before the first observation.
        public var lower: Double?
        public var upper: Double?
    }

    /// A quantile of the survival distribution with its confidence interval; `nil` = not reached.
    public struct Quantile: Sendable, Hashable {
        public var estimate: Double?
        public var lower: Double?
        public var upper: Double?
    }

    public let count: Int
    public let events: Int
    public let confidence: SurvivalConfidence
    public let rows: [Row]

    /// Estimates the curve.
    ///
    /// - Throws: `empty_input` when there are no subjects.
    public init(_ data: SortedSurvival, confidence: SurvivalConfidence) throws {
        guard data.count > 0 else {
            throw StatisticsError(.emptyInput, "no subjects to estimate a survival curve from")
        }
        var curve = Builder(count: data.count, confidence: confidence)
        data.time.withUnsafeBufferPointer { time in
            data.event.withUnsafeBufferPointer { event in
                var i = 0
                let n = time.count
                while i < n {
                    let t = time[i]
                    var d = 0
                    var c = 0
                    while i < n && time[i] == t {
                        if event[i] { d += 1 } else { c += 1 }
                        i += 1
                    }
                    curve.add(time: t, events: d, censored: c)
                }
            }
        }
        self.init(curve)
    }

    /// Estimates the curve from the subjects' distinct times in ascending order, each with its
    /// events and censorings (``SurvivalData/timeCounts(by:)``): the same curve as from the
    /// subjects themselves, without a copy of them.
    ///
    /// - Throws: `empty_input` when there are no subjects.
    public init(_ counts: [TimeCount], confidence: SurvivalConfidence) throws {
        let total = counts.reduce(0) { $0 + $1.events + $1.censored }
        guard total > 0 else {
            throw StatisticsError(.emptyInput, "no subjects to estimate a survival curve from")
        }
        var curve = Builder(count: total, confidence: confidence)
        for run in counts { curve.add(time: run.time, events: run.events, censored: run.censored) }
        self.init(curve)
    }

    private init(_ curve: Builder) {
        self.count = curve.count
        self.confidence = curve.confidence
        self.rows = curve.rows
        self.events = curve.totalEvents
    }

    /// The product-limit estimate and Greenwood's sum, one distinct time after another.
    private struct Builder {
        let count: Int
        let confidence: SurvivalConfidence
        var rows: [Row] = []
        var atRisk: Int
        var survival = 1.0
        var greenwood = 0.0
        var totalEvents = 0

        init(count: Int, confidence: SurvivalConfidence) {
            self.count = count
            self.confidence = confidence
            self.atRisk = count
        }

        /// The subjects observed at `t`, the next distinct time: `d` events, `c` censorings.
        @inline(__always)
        mutating func add(time t: Double, events d: Int, censored c: Int) {
            if d > 0 {
                let nr = Double(atRisk)
                let dd = Double(d)
                survival *= (nr - dd) / nr
                greenwood += atRisk > d ? dd / (nr * (nr - dd)) : .infinity
                totalEvents += d
            }
            let se = greenwood.squareRoot()
            let limits = confidence.limits(survival: survival, logStandardError: se)
            let seS = se * survival
            rows.append(
                Row(
                    time: t, atRisk: atRisk, events: d, censored: c, survival: survival,
                    standardError: seS.isFinite ? seS : nil,
                    lower: limits.lower, upper: limits.upper))
            atRisk -= d + c
        }
    }

    /// Convenience: validates, sorts and estimates.
    public init(time: [Double], event: [Bool], confidence: SurvivalConfidence) throws {
        try self.init(SurvivalData(time: time, event: event).sorted(), confidence: confidence)
    }

    /// The time of the last observation (event or censoring).
    public var lastTime: Double { rows[rows.count - 1].time }

    /// Survival at each requested time, with R's `summary(fit, times, extend = FALSE)` rules.
    ///
    /// `summary()` works on `survfit0(fit)`, which puts a row at time 0 ahead of a curve whose first
    /// observation is later: S = 1, standard error 0, everyone at risk, and limits 1 and 1 for every
    /// confidence type (log-log too, although at an observed time with S = 1 its limits are `nil`).
    /// A requested time before the first observation takes that row. When the first observation is at
    /// time 0 no row is inserted, and a (negative) time before it takes the first row's values, with
    /// no events. A time between observations takes the curve's value at the last observed time ≤ t
    /// and the number at risk of the next observed time; a time after the last observation has no
    /// entry (`extend = FALSE`), nor has a time that is not finite. Requested times are reported in
    /// ascending order.
    public func survival(at times: [Double]) -> [Point] {
        var points: [Point] = []
        var previousCumulativeEvents = 0
        var cumulativeEvents = 0
        var row = 0  // first row with time > t after the scan
        for t in times.filter({ $0.isFinite }).sorted() where t <= lastTime {
            while row < rows.count && rows[row].time <= t {
                cumulativeEvents += rows[row].events
                row += 1
            }
            let eventsHere = cumulativeEvents - previousCumulativeEvents
            previousCumulativeEvents = cumulativeEvents
            // Number at risk at t: those with follow-up ≥ t, i.e. the risk set of the first row ≥ t.
            let firstAtOrAfter = (row > 0 && rows[row - 1].time == t) ? row - 1 : row
            let atRisk = firstAtOrAfter < rows.count ? rows[firstAtOrAfter].atRisk : 0
            if row == 0 && rows[0].time > 0 {
                // survfit0's row at time 0.
                points.append(
                    Point(
                        time: t, atRisk: atRisk, events: 0, survival: 1, standardError: 0,
                        lower: 1, upper: 1))
            } else {
                // R's findInterval gives 0 before the first row, and `pmax(1, index)` takes that row.
                let r = rows[max(row - 1, 0)]
                points.append(
                    Point(
                        time: t, atRisk: atRisk, events: eventsHere, survival: r.survival,
                        standardError: r.standardError, lower: r.lower, upper: r.upper))
            }
        }
        return points
    }

    /// The median survival time and its confidence interval (R's `summary(fit)$table`).
    public var median: Quantile { quantile(survival: 0.5) }

    /// The time at which the curve falls to `level` (0.5 for the median), with the interval
    /// where the confidence bands cross that level.
    ///
    /// R's rule (survival's `survmean`, function `minmin`): the estimate is the first time at which
    /// S < level + √ε; where S equals the level (within √ε) over an interval, it is the midpoint
    /// between the start of that interval and the next time the curve drops. The lower limit is the
    /// same rule applied to the lower band, the upper limit to the upper band. `nil` = not reached.
    public func quantile(survival level: Double) -> Quantile {
        Quantile(
            estimate: firstCrossing(rows.map { $0.survival }, level: level),
            lower: firstCrossing(rows.map(\.lower), level: level),
            upper: firstCrossing(rows.map(\.upper), level: level))
    }

    /// `minmin` of survival's `survmean`: tolerance √ε, as in `all.equal`.
    private func firstCrossing(_ values: [Double?], level: Double) -> Double? {
        let tolerance = Double.ulpOfOne.squareRoot()
        guard let first = values.firstIndex(where: { $0.map { $0 < level + tolerance } ?? false }),
            let y = values[first]
        else { return nil }
        let x = rows[first].time
        if abs(y - level) < tolerance,
            let drop = values[(first + 1)...].firstIndex(where: { $0.map { $0 < y } ?? false })
        {
            return (x + rows[drop].time) / 2
        }
        return x
    }
}

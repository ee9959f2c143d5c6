public import CohortStatistics

/// Draws Kaplan–Meier curves as a self-contained SVG (a ``StepPlot``): steps, censoring ticks,
/// an optional confidence band, the time unit on the axis and the numbers at risk under it.
public struct SurvivalPlot: Sendable {
    public struct Curve: Sendable {
        public var label: String
        public var estimate: KaplanMeier

        public init(label: String, estimate: KaplanMeier) {
            self.label = label
            self.estimate = estimate
        }
    }

    public var title: String
    public var timeUnit: String
    public var curves: [Curve]
    public var options: StepPlot.Options

    public init(title: String, timeUnit: String, curves: [Curve], showBand: Bool) {
        var options = StepPlot.Options()
        options.showBand = showBand
        self.init(title: title, timeUnit: timeUnit, curves: curves, options: options)
    }

    public init(title: String, timeUnit: String, curves: [Curve], options: StepPlot.Options) {
        self.title = title
        self.timeUnit = timeUnit
        self.curves = curves
        self.options = options
    }

    /// A test's p as survminer prints it on the plot (`surv_pvalue`): "p < 0.0001", else 2
    /// significant digits ("p = 0.012").
    public static func pValueText(_ p: Double) -> String {
        p < 1e-4 ? "p < 0.0001" : "p = " + Format.short(p, significant: 2)
    }

    public func svg() -> String {
        let series = curves.map { curve in
            let km = curve.estimate
            return StepPlot.Series(
                label: curve.label, start: 1, steps: km.rows.map { ($0.time, $0.survival, $0.censored > 0) },
                band: km.rows.map { ($0.time, $0.lower, $0.upper) }, lastTime: km.lastTime, median: km.median.estimate,
                atRisk: { ticks in
                    let points = km.survival(at: ticks)
                    return ticks.map { tick in points.first(where: { $0.time == tick })?.atRisk ?? 0 }
                },
                events: { ticks in
                    // Cumulative events up to and including each break.
                    var counts: [Int] = []
                    var total = 0
                    var row = 0
                    for tick in ticks {
                        while row < km.rows.count && km.rows[row].time <= tick {
                            total += km.rows[row].events
                            row += 1
                        }
                        counts.append(total)
                    }
                    return counts
                })
        }
        return StepPlot(title: title, timeUnit: timeUnit, yLabel: "Survival probability", series: series, options: options).svg()
    }
}

/// Draws cumulative incidence curves (``CumulativeIncidence``) as a self-contained SVG: rising
/// steps from 0, the time unit on the axis and the numbers at risk (event-free and followed).
public struct CumulativeIncidencePlot: Sendable {
    public struct Curve: Sendable {
        public var label: String
        public var estimate: CumulativeIncidence
        /// The cause drawn, `1...causeCount`.
        public var cause: Int

        public init(label: String, estimate: CumulativeIncidence, cause: Int) {
            self.label = label
            self.estimate = estimate
            self.cause = cause
        }
    }

    public var title: String
    public var timeUnit: String
    public var curves: [Curve]
    /// The curves are causes of the same patients (one row of numbers at risk).
    public var sharedRiskSet: Bool
    /// The annotation (Gray's p), breaks, percent axis and tables (``StepPlot/Options``).
    public var options: StepPlot.Options

    public init(title: String, timeUnit: String, curves: [Curve], sharedRiskSet: Bool = false, options: StepPlot.Options = .init()) {
        self.sharedRiskSet = sharedRiskSet
        self.options = options
        self.title = title
        self.timeUnit = timeUnit
        self.curves = curves
    }

    public func svg() -> String {
        let series = curves.map { curve in
            let estimate = curve.estimate
            return StepPlot.Series(
                label: curve.label, start: 0, steps: estimate.steps[curve.cause - 1].map { ($0.time, $0.estimate, false) },
                lastTime: estimate.lastTime, atRisk: { estimate.atRisk($0) })
        }
        // The causes of one group share their patients: one row of numbers at risk.
        let oneGroup = curves.count > 1 && sharedRiskSet
        var options = self.options
        if oneGroup { options.sharedRiskLabel = "All patients" }
        return StepPlot(title: title, timeUnit: timeUnit, yLabel: "Cumulative incidence", series: series, options: options).svg()
    }
}

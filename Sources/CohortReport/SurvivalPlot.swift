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
    public var showBand: Bool

    public init(title: String, timeUnit: String, curves: [Curve], showBand: Bool) {
        self.title = title
        self.timeUnit = timeUnit
        self.curves = curves
        self.showBand = showBand
    }

    public func svg() -> String {
        let series = curves.map { curve in
            let km = curve.estimate
            return StepPlot.Series(
                label: curve.label, start: 1, steps: km.rows.map { ($0.time, $0.survival, $0.censored > 0) },
                band: km.rows.map { ($0.time, $0.lower, $0.upper) }, lastTime: km.lastTime,
                atRisk: { ticks in
                    let points = km.survival(at: ticks)
                    return ticks.map { tick in points.first(where: { $0.time == tick })?.atRisk ?? 0 }
                })
        }
        return StepPlot(title: title, timeUnit: timeUnit, yLabel: "Survival probability", series: series, showBand: showBand).svg()
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

    public init(title: String, timeUnit: String, curves: [Curve], sharedRiskSet: Bool = false) {
        self.sharedRiskSet = sharedRiskSet
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
        return StepPlot(
            title: title, timeUnit: timeUnit, yLabel: "Cumulative incidence", series: series, showBand: false,
            sharedRiskLabel: oneGroup ? "All patients" : nil
        ).svg()
    }
}

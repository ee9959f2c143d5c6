public import CohortStatistics

/// Survival at a requested time as results.json reports it (R's `summary(fit, times)`), shared by
/// the survival plugins.
public struct SurvivalAtTime: Encodable, Sendable, Hashable {
    public var time: Double
    public var n_risk: Int
    public var survival: Double
    public var std_err: Double?
    public var lower: Double?
    public var upper: Double?

    public init(_ point: KaplanMeier.Point) {
        time = point.time
        n_risk = point.atRisk
        survival = point.survival
        std_err = point.standardError
        lower = point.lower
        upper = point.upper
    }
}

import RealModule

/// The transformation under which a pointwise confidence interval for S(t) is symmetric.
public enum SurvivalConfidenceType: String, Sendable, Hashable, CaseIterable, Codable {
    /// S ± z·se(S), clipped to [0, 1].
    case plain
    /// exp(log S ± z·se(log S)), upper limit clipped to 1 (R `survfit`'s default).
    case log
    /// exp(−exp(log(−log S) ∓ z·se(log S)/log S)), EZR's choice.
    case logLog = "log-log"
}

/// Pointwise confidence limits for a survival probability, as R's `survfit_confint` computes them.
///
/// Where S = 0 no limit is estimable. Where S = 1 the log and log-log limits are not estimable
/// either (survival's `survfit_confint` makes the log-log ones NA; cohortd's results contract
/// treats the log ones the same way, since a band of width zero at S = 1 carries no information).
public struct SurvivalConfidence: Sendable, Hashable {
    public let type: SurvivalConfidenceType
    public let level: Double
    /// `qnorm(1 - (1 - level) / 2)`.
    public let z: Double

    /// - Throws: `invalid_parameter` unless 0 < level < 1.
    public init(type: SurvivalConfidenceType, level: Double = 0.95) throws {
        self.type = type
        self.level = level
        self.z = try Normal.criticalValue(level: level)
    }

    /// The limits for survival `s` whose log has standard error `logSE` (Greenwood).
    public func limits(survival s: Double, logStandardError logSE: Double) -> (lower: Double?, upper: Double?) {
        switch type {
        case .plain:
            let half = logSE * s * z
            guard half.isFinite else { return (nil, nil) }
            return (max(s - half, 0), min(s + half, 1))
        case .log:
            guard s > 0, s < 1, logSE.isFinite else { return (nil, nil) }
            let half = z * logSE
            let logS = Double.log(s)
            return (Double.exp(logS - half), min(Double.exp(logS + half), 1))
        case .logLog:
            guard s > 0, s < 1, logSE.isFinite else { return (nil, nil) }
            let half = z * logSE / Double.log(s)
            let loglog = Double.log(-Double.log(s))
            return (Double.exp(-Double.exp(loglog - half)), Double.exp(-Double.exp(loglog + half)))
        }
    }
}

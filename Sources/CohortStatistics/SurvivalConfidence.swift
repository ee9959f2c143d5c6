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

/// Pointwise confidence limits for a survival probability, as R's `survfit_confint` computes them
/// (survival package, `survival:::survfit_confint`, which `survfit` uses for `lower` and `upper`).
///
/// Where S = 0 no limit is estimable (`nil`; R: `NA`, except plain, whose half-width 0·∞ is `NaN`).
/// Where S = 1 (no event yet, so se(log S) = 0) R keeps what its formulas give: plain and log give
/// 1 and 1, log-log gives `NA` (`nil` here), because log(−log 1) is not finite. (cohortd's results
/// contract, version 2; version 1 made the log limits `nil` at S = 1 as well.)
///
/// These are the limits at observed times. At a requested time before a curve's first observation
/// R's `summary(fit, times)` reports the row that `survfit0` puts at time 0, whose limits are 1 and 1
/// for every type: `KaplanMeier.survival(at:)` does that and does not call this.
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
            // survfit_confint: NA only where S = 0; at S = 1 (se 0) both limits are exp(0) = 1.
            guard s > 0, logSE.isFinite else { return (nil, nil) }
            let half = z * logSE
            let logS = Double.log(s)
            return (Double.exp(logS - half), min(Double.exp(logS + half), 1))
        case .logLog:
            // survfit_confint: NA where S = 0 or S = 1.
            guard s > 0, s < 1, logSE.isFinite else { return (nil, nil) }
            let half = z * logSE / Double.log(s)
            let loglog = Double.log(-Double.log(s))
            return (Double.exp(-Double.exp(loglog - half)), Double.exp(-Double.exp(loglog + half)))
        }
    }
}

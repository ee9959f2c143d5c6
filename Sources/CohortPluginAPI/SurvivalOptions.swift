public import CohortStatistics

/// A pipeline's `profile:`: whose defaults apply where an analysis does not say.
public enum Profile: String, Sendable, Hashable, CaseIterable {
    /// EZR's: Kaplan–Meier CIs log-log, Cox ties Breslow.
    case ezr
    /// R's own: log (`survfit`'s `conf.type`), Efron (`coxph`'s `ties`).
    case r

    /// The default CI type of survival estimates: log under `r` (R `survfit(conf.type = "log")`),
    /// log-log otherwise (EZR's choice).
    public static func confidenceType(_ profile: Profile?) -> SurvivalConfidenceType {
        profile == .r ? .log : .logLog
    }

    /// The default Cox ties: Breslow under `ezr` (EZR), Efron otherwise (R `coxph(ties = "efron")`).
    public static func ties(_ profile: Profile?) -> CoxModel.Ties {
        profile == .ezr ? .breslow : .efron
    }
}

/// The shared reading of confidence and ties options, so that every plugin accepts and rejects
/// them alike.
extension ParameterMapping {
    /// A confidence level, 0.95 when absent.
    ///
    /// - Throws: ``ParameterProblem/invalidValue`` unless 0 < level < 1.
    public func confidenceLevel(_ key: Key) throws -> Double {
        guard let value = self[key] else { return 0.95 }
        let level = try value.number()
        guard level > 0 && level < 1 else { throw value.error(.invalidValue, "\(key.rawValue) must be between 0 and 1") }
        return level
    }

    /// A CI for survival probabilities: type at `type` (the profile's default when absent), level at `level`.
    public func survivalConfidence(type: Key, level: Key, profile: Profile?) throws -> SurvivalConfidence {
        let kind = try choice(type, SurvivalConfidenceType.self) ?? Profile.confidenceType(profile)
        let level = try confidenceLevel(level)
        do { return try SurvivalConfidence(type: kind, level: level) } catch {
            throw (self[type] ?? value).error(.invalidValue, "\(error)")
        }
    }

    /// Cox ties at `key` (the profile's default when absent).
    public func ties(_ key: Key, profile: Profile?) throws -> CoxModel.Ties {
        try choice(key, CoxModel.Ties.self) ?? Profile.ties(profile)
    }
}

public import CohortPluginAPI

/// The results of `plugin: cox` (`results.md`, `analyses-v2.md` "cox").
extension CoxPlugin {
    /// One coefficient. Its figures are `null` with a `reason` when not estimable (an infinite
    /// coefficient: a level without events, or a model that did not converge).
    public struct Term: Encodable, Sendable {
        public var term: String
        public var coef: Double?
        public var hr: Double?
        public var se: Double?
        public var hr_lower: Double?
        public var hr_upper: Double?
        public var p: Double?
        public var reason: String?
        /// The variable the term belongs to (for the report; not in results.json).
        public var variable: String

        enum CodingKeys: String, CodingKey { case term, coef, hr, se, hr_lower, hr_upper, p, reason }

        /// The level a dummy term stands for (`sex=Male` → "Male"); `nil` for a numeric term.
        public var level: String? { term == variable ? nil : String(term.dropFirst(variable.count + 1)) }
    }

    /// One model per variable, or one with all of them.
    public enum ModelKind: String, Encodable, Sendable {
        case univariable, multivariable
    }

    /// `summary(fit)$logtest`.
    public struct LRTest: Encodable, Sendable {
        public var chisq: Double
        public var df: Int
        public var p: Double
    }

    /// One term's score test of `cox.zph` (a factor is one row, df = its coefficients).
    public struct PHRow: Encodable, Sendable {
        public var term: String
        public var chisq: Double
        public var df: Int
        public var p: Double
    }

    /// The global score test of `cox.zph` (every coefficient).
    public struct PHGlobal: Encodable, Sendable {
        public var chisq: Double
        public var df: Int
        public var p: Double
    }

    /// `cox.zph(fit, transform = "km", terms = TRUE)`: per variable and global.
    public struct PHTest: Encodable, Sendable {
        public var transform: String
        public var terms: [PHRow]
        public var global: PHGlobal
    }

    /// A test of all coefficients of a factor with 3+ declared levels.
    public struct FactorTest: Encodable, Sendable {
        public var variable: String
        public var method: String
        public var chisq: Double?
        public var df: Int
        public var p: Double?
        public var reason: String?
    }

    /// One fitted model: the v1 figures, plus `strata`, `ph_test` and `factor_tests`
    /// (`analyses-v2.md`); a model that cannot be fitted has `error`/`reason` and null figures.
    public struct Model: Encodable, Sendable {
        public var kind: ModelKind
        public var variables: [String]
        public var n: Int?
        public var events: Int?
        public var terms: [Term]
        public var loglik: [Double]?
        public var lr_test: LRTest?
        public var concordance: Double?
        public var converged: Bool?
        /// Why `loglik` is null in a fitted model (a non-finite likelihood).
        public var loglik_reason: String?
        /// Why `lr_test` is null in a fitted model (a non-finite statistic).
        public var lr_test_reason: String?
        /// Why `concordance` is null in a fitted model (no comparable pairs).
        public var concordance_reason: String?
        /// The strata columns (`coxph(... + strata(...))`); empty when unstratified.
        public var strata: [String]
        /// `null` with `ph_test_reason` when not requested or not estimable.
        public var ph_test: PHTest?
        public var ph_test_reason: String?
        public var factor_tests: [FactorTest]
        /// R's own warnings of the fit (non-convergence, possibly infinite coefficients).
        public var warnings: [String]
        /// Why the model could not be fitted (`null` when it was).
        public var error: String?
        public var reason: String?
        /// Reference level of each categorical variable (for the report; not in results.json).
        public var references: [String: String]

        enum CodingKeys: String, CodingKey {
            case kind, variables, n, events, terms, loglik, lr_test, concordance, converged, loglik_reason, lr_test_reason,
                concordance_reason, strata, ph_test, ph_test_reason,
                factor_tests, warnings, error, reason
        }
    }

    /// The analysis result: the ties used, the models in order (univariable, then multivariable),
    /// and the method checks they raised.
    public struct Output: Encodable, Sendable, WarningReporting {
        public var ties: String
        public var models: [Model]
        /// The landmark's counts (`null` without one).
        public var landmark: Landmark?
        /// Method checks of every model (`ph_violated`, `few_events_per_variable`, `not_estimable`).
        public var warnings: [MethodWarning]

        enum CodingKeys: String, CodingKey { case ties, models, landmark, warnings }
    }
}

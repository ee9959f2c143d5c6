/// One test of a multi-level factor in a Cox model (`analyses-v2.md`, `factor_tests`): all of its
/// coefficients at once, df = their number.
public struct CoxFactorTest: Sendable, Hashable {
    public var chisq: Double
    public var df: Int
    /// Upper-tail chi-square p (`pchisq(chisq, df, lower.tail = FALSE)`).
    public var p: Double

    /// The Wald test bᵀV⁻¹b over the coefficients `indices` of `model` (EZR's `waldtest`, i.e.
    /// the Wald statistic from `coef(fit)` and `vcov(fit)`).
    ///
    /// - Throws: `invalid_parameter` for an index outside the model, `singular_matrix` when the
    ///   block of the variance matrix cannot be inverted, `invalid_value` for a non-finite result.
    public static func wald(_ model: CoxModel, coefficients indices: [Int]) throws -> CoxFactorTest {
        let p = model.terms.count
        guard !indices.isEmpty, indices.allSatisfy({ (0..<p).contains($0) }) else {
            throw StatisticsError(.invalidParameter, "the factor has no coefficient in the model")
        }
        let b = indices.map { model.terms[$0].coefficient }
        let k = indices.count
        var block = [Double](repeating: 0, count: k * k)
        for (r, i) in indices.enumerated() { for (c, j) in indices.enumerated() { block[r * k + c] = model.covariance[i][j] } }
        guard let solution = SymmetricMatrix(dimension: k, elements: block).solve(b) else {
            throw StatisticsError(.singularMatrix, "the variance matrix of the factor's coefficients is singular")
        }
        let chisq = zip(b, solution).reduce(0) { $0 + $1.0 * $1.1 }
        return try CoxFactorTest(chisq: chisq, df: k)
    }

    /// The likelihood-ratio test 2 (ℓ_full − ℓ_reduced) against the model refitted without the
    /// factor on the same subjects and strata (`reducedLogLikelihood`: that model's final log
    /// partial likelihood, or the full model's null one when nothing else is left).
    public static func likelihoodRatio(full: CoxModel, reducedLogLikelihood: Double, df: Int) throws -> CoxFactorTest {
        try CoxFactorTest(chisq: 2 * (full.logLikelihood - reducedLogLikelihood), df: df)
    }

    init(chisq: Double, df: Int) throws {
        guard chisq.isFinite, df > 0 else {
            throw StatisticsError(.invalidValue, "the factor test statistic is not finite")
        }
        self.chisq = chisq
        self.df = df
        self.p = ChiSquared.upperTail(max(chisq, 0), df: Double(df)) ?? 1
    }
}

import RealModule

/// A Cox proportional-hazards model fitted by Newton–Raphson with step halving, exactly as
/// R's `coxph` (survival's `coxfit6`): start at β = 0, stop when |1 − ℓ_old/ℓ_new| ≤ 1e-9 (not
/// on a halving step), at most 20 iterations, covariates centred and scaled internally.
/// With strata (`coxph(... + strata(s))`) every risk set is taken within the subject's stratum.
public struct CoxModel: Sendable, Hashable {
    /// How tied event times enter the partial likelihood.
    public enum Ties: String, Sendable, Hashable, Codable, CaseIterable {
        case efron
        case breslow
    }

    /// One coefficient of the model.
    public struct Term: Sendable, Hashable {
        public var name: String
        public var coefficient: Double
        public var hazardRatio: Double
        public var standardError: Double
        public var hazardRatioLower: Double
        public var hazardRatioUpper: Double
        /// Wald test p-value.
        public var p: Double
    }

    public let ties: Ties
    /// Subjects used (complete cases).
    public let count: Int
    public let events: Int
    public let terms: [Term]
    /// Log partial likelihood at β = 0.
    public let nullLogLikelihood: Double
    /// Log partial likelihood at the estimate.
    public let logLikelihood: Double
    /// Likelihood-ratio test against the null model.
    public let likelihoodRatioChiSquare: Double
    public let likelihoodRatioDegreesOfFreedom: Int
    public let likelihoodRatioP: Double
    /// Harrell's concordance of the linear predictor, as `coxph` reports it.
    public let concordance: Double?
    public let iterations: Int
    public let converged: Bool
    /// R's warnings: non-convergence, or a coefficient that may be infinite (separation).
    public let warnings: [String]
    /// Indices of the coefficients `coxph.fit` flags as possibly infinite (empty when it
    /// converged cleanly).
    public let possiblyInfinite: [Int]
    /// The estimated coefficients (log hazard ratios), in design order.
    public var coefficients: [Double] { terms.map(\.coefficient) }
    /// The variance matrix of the coefficients (the inverse information, `vcov(fit)`).
    public let covariance: [[Double]]
    /// The number of strata among the model's subjects (1 when unstratified).
    public let strataCount: Int
    /// The proportional-hazards test of the terms asked for at the fit (`proportionalHazards`),
    /// or why it could not be computed; `nil` when not asked for.
    public let proportionalHazardsTest: Result<CoxProportionalHazardsTest, StatisticsError>?
    /// The fitted data in risk-set order, kept for the proportional-hazards test. Not part of
    /// the model's equality or hash (see `==`): it is O(n·p) and determined by the rest.
    var fitted: FittedData

    /// The model's subjects in risk-set order (descending time within stratum, censorings before
    /// events at a tie) with their raw covariates and the linear predictor at the estimate.
    struct FittedData: Sendable, Hashable {
        var time: [Double]
        var status: [Bool]
        var stratum: [Int32]
        /// Row-major n × p covariates as the fit used them (centred and scaled per column, as
        /// coxfit6 does; the score test is invariant to both), shared with the fit, not copied.
        var x: [Double]
        /// x·β − mean, as `fit$linear.predictors` (a constant shift does not matter).
        var linearPredictor: [Double]
        var p: Int
        var ties: Ties
        /// The estimate on the scale of `x` (the linear predictor is `x`·`beta`).
        var beta: [Double]
        /// The runs of one stratum and one time, shared with the fit (none when it summed row by row).
        var groups: RiskSetGroups
        /// The runs' sums at `beta` from the fit's last pass, when kept (`cox.zph` reuses them).
        var runSums: [Double]?
        /// Whether the fit summed through the runs (`cox.zph` does as the fit did).
        var byRuns: Bool
    }

    /// How the fit and `cox.zph` sum the risk sets: through the runs of one time (on two cores;
    /// the same figures up to rounding) or row by row; `automatic` picks by the runs' length.
    enum Pass: Sendable, Hashable {
        case automatic
        case runs
        case rows
    }

    /// Fits the model on the subjects with every covariate present (and a stratum, when `strata`
    /// is given: one code per subject, negative = missing, which leaves the subject out).
    ///
    /// - Throws: `empty_input` (no complete subjects or no covariates), `length_mismatch`,
    ///   `invalid_value` (an infinite covariate), `too_few_events` (no events),
    ///   `constant_predictor` (a covariate that does not vary), `singular_matrix` (collinear
    ///   covariates), `invalid_parameter` (confidence level, a stratum code ≥ the number of
    ///   subjects).
    /// - Parameter proportionalHazards: the terms (coefficient indices of each) of a
    ///   proportional-hazards test to compute with the fit, at the same time as the concordance
    ///   (both read only the fitted data, so two cores share the work); see
    ///   ``CoxProportionalHazardsTest/init(_:groups:)``.
    public init(
        _ data: SurvivalData, design: CoxDesign, strata: [Int32]? = nil, ties: Ties = .efron, confidenceLevel: Double = 0.95,
        proportionalHazards: [[Int]]? = nil
    ) throws {
        try self.init(
            data, design: design, strata: strata, ties: ties, confidenceLevel: confidenceLevel, proportionalHazards: proportionalHazards,
            pass: .automatic)
    }

    /// The fit with its way of summing the risk sets chosen (tests compare both).
    init(
        _ data: SurvivalData, design: CoxDesign, strata: [Int32]?, ties: Ties, confidenceLevel: Double, proportionalHazards: [[Int]]?,
        pass: Pass
    ) throws {
        let p = design.columns.count
        guard p > 0 else { throw StatisticsError(.emptyInput, "a Cox model needs at least one covariate") }
        for (j, column) in design.columns.enumerated() where column.count != data.count {
            throw StatisticsError(.lengthMismatch, "covariate \(design.names[j]) has \(column.count) values for \(data.count) subjects")
        }
        for (j, column) in design.columns.enumerated() {
            if let i = column.firstIndex(where: { $0.isInfinite }) {
                throw StatisticsError(.invalidValue, "covariate \(design.names[j]) of observation \(i + 1) is \(column[i])")
            }
        }
        if let strata, strata.count != data.count {
            throw StatisticsError(.lengthMismatch, "\(strata.count) stratum codes for \(data.count) subjects")
        }
        let prepared = try Self.prepare(data, design: design, strata: strata)
        let n = prepared.time.count
        let time = prepared.time
        let status = prepared.status
        let stratum = prepared.stratum
        let x = prepared.x
        let scales = prepared.scales
        let strataCount = prepared.strataCount
        let eventCount = prepared.events

        let evaluator = PartialLikelihood(time: time, status: status, stratum: stratum, x: x, p: p, ties: ties, pass: pass)
        let eps = 1e-9
        let maxIterations = 20
        var beta = [Double](repeating: 0, count: p)
        var current = evaluator.evaluate(beta)
        let nullLoglik = current.loglik
        var loglik = current.loglik
        var factor = SymmetricMatrix(dimension: p, elements: current.information).factorise()
        if let j = factor.singular.first {
            throw StatisticsError(.singularMatrix, "covariate \(design.names[j]) is collinear with the others (singular information matrix)")
        }
        var step = factor.solve(current.score)
        var newBeta = zip(beta, step).map(+)
        var halving = false
        var iterations = 0
        var converged = false
        while true {
            iterations += 1
            current = evaluator.evaluate(newBeta)
            factor = SymmetricMatrix(dimension: p, elements: current.information).factorise()
            if abs(1 - loglik / current.loglik) <= eps && !halving {
                converged = true
                break
            }
            if iterations == maxIterations { break }
            if !(current.loglik >= loglik) {  // also catches a non-finite likelihood
                halving = true
                newBeta = zip(newBeta, beta).map { ($0 + $1) / 2 }
            } else {
                halving = false
                loglik = current.loglik
                step = factor.solve(current.score)
                beta = newBeta
                newBeta = zip(newBeta, step).map(+)
            }
        }
        if let j = factor.singular.first {
            throw StatisticsError(.singularMatrix, "covariate \(design.names[j]) is collinear with the others (singular information matrix)")
        }
        let finalLoglik = current.loglik
        let inverse = factor.inverse()
        let coefficients = (0..<p).map { newBeta[$0] * scales[$0] }
        let variance = (0..<p).map { a in (0..<p).map { b in inverse[a][b] * scales[a] * scales[b] } }
        let score = (0..<p).map { current.score[$0] / scales[$0] }

        var warnings: [String] = []
        var flagged: [Int] = []
        if !converged {
            warnings.append("Ran out of iterations and did not converge")
        } else {
            // coxph.fit: |u · V| > eps and > toler.inf · |β| flags a coefficient that may be infinite.
            let tolerInf = eps.squareRoot()
            flagged = (0..<p).filter { j in
                let infs = abs((0..<p).reduce(0) { $0 + score[$1] * variance[$1][j] })
                return infs > eps && infs > tolerInf * abs(coefficients[j])
            }
            if !flagged.isEmpty {
                warnings.append("Loglik converged before \(flagged.map { design.names[$0] }.joined(separator: ", ")); coefficient may be infinite")
            }
        }

        let z = try Normal.criticalValue(level: confidenceLevel)
        self.terms = (0..<p).map { j in
            let coef = coefficients[j]
            let se = variance[j][j].squareRoot()
            return Term(
                name: design.names[j], coefficient: coef, hazardRatio: Double.exp(coef), standardError: se,
                hazardRatioLower: Double.exp(coef - z * se), hazardRatioUpper: Double.exp(coef + z * se),
                p: Normal.twoSidedP(coef / se))
        }
        self.ties = ties
        self.count = n
        self.events = eventCount
        self.nullLogLikelihood = nullLoglik
        self.logLikelihood = finalLoglik
        let lr = 2 * (finalLoglik - nullLoglik)
        self.likelihoodRatioChiSquare = lr
        self.likelihoodRatioDegreesOfFreedom = p
        self.likelihoodRatioP = ChiSquared.upperTail(lr, df: Double(p)) ?? 1
        self.iterations = iterations
        self.converged = converged
        self.warnings = warnings
        self.possiblyInfinite = flagged
        self.covariance = variance
        self.strataCount = strataCount
        // Linear predictor as coxph reports it: x·β − Σ β·mean over the centred columns.
        // From the fit's centred and scaled rows (read in order): Σ β_scaled · x_scaled.
        var linearPredictor = [Double](repeating: 0, count: n)
        x.withUnsafeBufferPointer { x in
            for i in 0..<n {
                var sum = 0.0
                for j in 0..<p { sum += newBeta[j] * x[i * p + j] }
                linearPredictor[i] = sum
            }
        }
        let predictor = linearPredictor
        let fitted = FittedData(
            time: time, status: status, stratum: stratum, x: x, linearPredictor: predictor, p: p,
            ties: ties, beta: newBeta, groups: evaluator.groups, runSums: current.runSums, byRuns: evaluator.byRuns)
        self.fitted = fitted
        // survival's concordance of a stratified coxph compares subjects within a stratum only.
        // Subjects arrive in descending time within contiguous strata, as Concordance expects.
        let concordance: @Sendable () -> Double? = {
            Concordance(descendingTime: time, event: status, score: predictor, strata: strataCount > 1 ? stratum : nil).value
        }
        if let groups = proportionalHazards {
            let (c, test) = concurrently(concordance) {
                Result { () throws(StatisticsError) in try CoxProportionalHazardsTest(fitted: fitted, groups: groups) }
            }
            self.concordance = c
            self.proportionalHazardsTest = test
        } else {
            self.concordance = concordance()
            self.proportionalHazardsTest = nil
        }
    }

    /// Equal models: every reported figure equal. The retained fitted data is left out (it
    /// follows from the data and would make comparing and hashing O(n·p)).
    public static func == (lhs: CoxModel, rhs: CoxModel) -> Bool {
        lhs.ties == rhs.ties && lhs.count == rhs.count && lhs.events == rhs.events && lhs.terms == rhs.terms
            && lhs.nullLogLikelihood == rhs.nullLogLikelihood && lhs.logLikelihood == rhs.logLikelihood
            && lhs.likelihoodRatioChiSquare == rhs.likelihoodRatioChiSquare
            && lhs.likelihoodRatioDegreesOfFreedom == rhs.likelihoodRatioDegreesOfFreedom && lhs.likelihoodRatioP == rhs.likelihoodRatioP
            && lhs.concordance == rhs.concordance && lhs.iterations == rhs.iterations && lhs.converged == rhs.converged
            && lhs.warnings == rhs.warnings && lhs.possiblyInfinite == rhs.possiblyInfinite && lhs.covariance == rhs.covariance
            && lhs.strataCount == rhs.strataCount && lhs.proportionalHazardsTest == rhs.proportionalHazardsTest
    }

    /// Hashes the figures compared by `==` that identify a model cheaply (O(p²), not O(n)).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ties)
        hasher.combine(count)
        hasher.combine(events)
        hasher.combine(terms)
        hasher.combine(logLikelihood)
        hasher.combine(iterations)
        hasher.combine(strataCount)
    }
}

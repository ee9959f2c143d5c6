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

        let evaluator = PartialLikelihood(time: time, status: status, stratum: stratum, x: x, p: p, ties: ties)
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
            ties: ties)
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

/// The log partial likelihood of a Cox model with its score vector and information matrix.
struct PartialLikelihood {
    /// Times in descending order.
    let time: [Double]
    let status: [Bool]
    /// Stratum codes in the same order (subjects of a stratum are contiguous).
    let stratum: [Int32]
    /// Row-major n × p covariates (centred and scaled).
    let x: [Double]
    let p: Int
    let ties: CoxModel.Ties

    struct Value {
        var loglik: Double
        var score: [Double]
        /// Row-major p × p.
        var information: [Double]
    }

    /// One pass from the longest follow-up to the shortest, accumulating risk-set sums (coxfit6).
    func evaluate(_ beta: [Double]) -> Value {
        x.withUnsafeBufferPointer { x in
            time.withUnsafeBufferPointer { time in
                status.withUnsafeBufferPointer { status in
                    stratum.withUnsafeBufferPointer { stratum in
                        beta.withUnsafeBufferPointer { beta in
                            evaluate(beta, x: x, time: time, status: status, stratum: stratum)
                        }
                    }
                }
            }
        }
    }

    /// The pass itself on raw buffers (no bounds checks or retains in the loop over subjects).
    private func evaluate(
        _ beta: UnsafeBufferPointer<Double>, x: UnsafeBufferPointer<Double>, time: UnsafeBufferPointer<Double>,
        status: UnsafeBufferPointer<Bool>, stratum: UnsafeBufferPointer<Int32>
    ) -> Value {
        let n = time.count
        var loglik = 0.0
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: 4 * p + 4 * p * p)
        scratch.initialize(repeating: 0)
        defer { scratch.deallocate() }
        guard let base = scratch.baseAddress else { return Value(loglik: 0, score: [], information: []) }
        let u = base
        let a = base + p
        let a2 = base + 2 * p
        let imat = base + 4 * p
        let cmat = imat + p * p
        let cmat2 = cmat + p * p
        var denom = 0.0
        var person = 0
        var currentStratum: Int32? = nil
        while person < n {
            let t = time[person]
            let s = stratum[person]
            if s != currentStratum {
                // A new stratum: its risk sets start empty (coxfit6 resets at a stratum boundary).
                currentStratum = s
                denom = 0
                for j in 0..<p { a[j] = 0 }
                for j in 0..<(p * p) { cmat[j] = 0 }
            }
            var deaths = 0
            var denom2 = 0.0
            while person < n && time[person] == t && stratum[person] == s {
                let row = person &* p
                var zbeta = 0.0
                for j in 0..<p { zbeta += beta[j] * x[row &+ j] }
                let risk = Double.exp(zbeta)
                denom += risk
                if status[person] {
                    deaths += 1
                    denom2 += risk
                    loglik += zbeta
                    for i in 0..<p {
                        let xi = x[row &+ i]
                        u[i] += xi
                        a2[i] += risk * xi
                        let rx = risk * xi
                        for j in 0..<(i &+ 1) { cmat2[i &* p &+ j] += rx * x[row &+ j] }
                    }
                } else {
                    for i in 0..<p {
                        let xi = x[row &+ i]
                        a[i] += risk * xi
                        let rx = risk * xi
                        for j in 0..<(i &+ 1) { cmat[i &* p &+ j] += rx * x[row &+ j] }
                    }
                }
                person += 1
            }
            guard deaths > 0 else { continue }
            // The deaths' sums join the risk set (coxfit6 adds every subject, deaths included).
            for i in 0..<p { a[i] += a2[i] }
            for j in 0..<(p * p) { cmat[j] += cmat2[j] }
            let dd = Double(deaths)
            switch ties {
            case .breslow:
                loglik -= dd * Double.log(denom)
                for i in 0..<p {
                    let mean = a[i] / denom
                    u[i] -= dd * mean
                    for j in 0...i {
                        imat[i * p + j] += dd * (cmat[i * p + j] - mean * a[j]) / denom
                    }
                }
            case .efron where deaths == 1:
                // coxfit6's terms with k = 0 as they are (one death: Efron is Breslow).
                loglik -= Double.log(denom)
                for i in 0..<p {
                    let mean = a[i] / denom
                    u[i] -= mean
                    for j in 0...i {
                        imat[i * p + j] += cmat[i * p + j] / denom - mean * a[j] / denom
                    }
                }
            case .efron:
                // Σ over the d deaths of coxfit6's terms, with w_k = 1/(denom − f_k·denom2),
                // f_k = k/d and m_k = (a − f_k·a2)·w_k:
                //   u −= Σ m_k = a·Σw − a2·Σf·w
                //   imat += Σ [(cmat − f_k·cmat2)·w_k − m_k m_kᵀ]
                //        = cmat·Σw − cmat2·Σf·w − (a aᵀ·Σw² − (a a2ᵀ + a2 aᵀ)·Σf·w² + a2 a2ᵀ·Σf²·w²),
                // so the work per death is scalar and the p × p work is once per event time.
                var sw = 0.0
                var sfw = 0.0
                var sw2 = 0.0
                var sfw2 = 0.0
                var sf2w2 = 0.0
                for k in 0..<deaths {
                    let frac = Double(k) / dd
                    let d2 = denom - frac * denom2
                    loglik -= Double.log(d2)
                    let w = 1 / d2
                    sw += w
                    sfw += frac * w
                    sw2 += w * w
                    sfw2 += frac * w * w
                    sf2w2 += frac * frac * w * w
                }
                for i in 0..<p {
                    u[i] -= a[i] * sw - a2[i] * sfw
                    for j in 0...i {
                        imat[i * p + j] +=
                            cmat[i * p + j] * sw - cmat2[i * p + j] * sfw
                            - (a[i] * a[j] * sw2 - (a[i] * a2[j] + a2[i] * a[j]) * sfw2 + a2[i] * a2[j] * sf2w2)
                    }
                }
            }
            // The deaths' own sums start empty at the next event time.
            for j in 0..<p { a2[j] = 0 }
            for j in 0..<(p * p) { cmat2[j] = 0 }
        }
        for i in 0..<p { for j in 0..<i { imat[j * p + i] = imat[i * p + j] } }
        return Value(
            loglik: loglik, score: Array(UnsafeBufferPointer(start: u, count: p)),
            information: Array(UnsafeBufferPointer(start: imat, count: p * p)))
    }
}

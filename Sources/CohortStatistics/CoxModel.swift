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
    /// The fitted data in risk-set order, kept for the proportional-hazards test.
    let fitted: FittedData

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
    ///   covariates), `invalid_parameter` (confidence level).
    public init(
        _ data: SurvivalData, design: CoxDesign, strata: [Int32]? = nil, ties: Ties = .efron, confidenceLevel: Double = 0.95
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
        // Complete cases, in time order (descending, censorings before events at a tie, as coxph
        // sorts), grouped by stratum.
        let complete = (0..<data.count).filter { i in
            design.columns.allSatisfy { !$0[i].isNaN } && (strata.map { $0[i] >= 0 } ?? true)
        }
        guard !complete.isEmpty else {
            throw StatisticsError(.emptyInput, "no subject has every covariate of the model")
        }
        let subset = try SurvivalData(time: complete.map { data.time[$0] }, event: complete.map { data.event[$0] })
        let ascending = subset.order.map { complete[Int($0)] }
        let order = Self.byStratum(ascending, strata: strata).reversed().map { $0 }
        let n = order.count
        let time = order.map { data.time[$0] }
        let status = order.map { data.event[$0] }
        let stratum = strata.map { s in order.map { s[$0] } } ?? [Int32](repeating: 0, count: n)
        // Subjects of a stratum are contiguous: count the boundaries.
        let strataCount = 1 + zip(stratum, stratum.dropFirst()).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
        let eventCount = status.filter { $0 }.count
        guard eventCount > 0 else {
            throw StatisticsError(.tooFewEvents, "no events among the \(n) subjects, so a Cox model cannot be fitted")
        }

        // Centre and scale as coxfit6 does, except columns of -1/0/1 values (survival's `nocenter`).
        var x = [Double](repeating: 0, count: n * p)  // row-major n × p
        var scales = [Double](repeating: 1, count: p)
        for j in 0..<p {
            let raw = order.map { design.columns[j][$0] }
            guard let first = raw.first, raw.contains(where: { $0 != first }) else {
                throw StatisticsError(.constantPredictor, "covariate \(design.names[j]) has the same value for every subject in the model")
            }
            let zeroOne = raw.allSatisfy { $0 == 0 || $0 == 1 || $0 == -1 }
            var column = raw
            if !zeroOne {
                let mean = column.reduce(0, +) / Double(n)
                for i in 0..<n { column[i] -= mean }
                let absolute = column.reduce(0) { $0 + abs($1) }
                scales[j] = absolute > 0 ? Double(n) / absolute : 1
                for i in 0..<n { column[i] *= scales[j] }
            }
            for i in 0..<n { x[i * p + j] = column[i] }
        }

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
        // survival's concordance of a stratified coxph compares subjects within a stratum only.
        self.concordance = Concordance(time: time, event: status, score: linearPredictor, strata: stratum).value
        self.fitted = FittedData(
            time: time, status: status, stratum: stratum, x: x, linearPredictor: linearPredictor, p: p,
            ties: ties)
    }

    /// `ascending` (subject indices in time order) regrouped by stratum, keeping time order
    /// within each stratum: a stable counting sort on the codes, O(n).
    static func byStratum(_ ascending: [Int], strata: [Int32]?) -> [Int] {
        guard let strata, let largest = ascending.lazy.map({ Int(strata[$0]) }).max(), largest > 0 else { return ascending }
        // Codes of the complete subjects are 0...largest.
        var start = [Int](repeating: 0, count: largest + 2)
        for i in ascending { start[Int(strata[i]) + 1] += 1 }
        for k in 1..<start.count { start[k] += start[k - 1] }
        var out = [Int](repeating: 0, count: ascending.count)
        for i in ascending {
            let k = Int(strata[i])
            out[start[k]] = i
            start[k] += 1
        }
        return out
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
            for j in 0..<p { a2[j] = 0 }
            for j in 0..<(p * p) { cmat2[j] = 0 }
            while person < n && time[person] == t && stratum[person] == s {
                var zbeta = 0.0
                for j in 0..<p { zbeta += beta[j] * x[person * p + j] }
                let risk = Double.exp(zbeta)
                denom += risk
                for i in 0..<p {
                    let xi = x[person * p + i]
                    a[i] += risk * xi
                    for j in 0...i { cmat[i * p + j] += risk * xi * x[person * p + j] }
                }
                if status[person] {
                    deaths += 1
                    denom2 += risk
                    loglik += zbeta
                    for i in 0..<p {
                        let xi = x[person * p + i]
                        u[i] += xi
                        a2[i] += risk * xi
                        for j in 0...i { cmat2[i * p + j] += risk * xi * x[person * p + j] }
                    }
                }
                person += 1
            }
            guard deaths > 0 else { continue }
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
            case .efron:
                for k in 0..<deaths {
                    let frac = Double(k) / dd
                    let d2 = denom - frac * denom2
                    loglik -= Double.log(d2)
                    for i in 0..<p {
                        let mean = (a[i] - frac * a2[i]) / d2
                        u[i] -= mean
                        for j in 0...i {
                            imat[i * p + j] +=
                                (cmat[i * p + j] - frac * cmat2[i * p + j]) / d2
                                - mean * (a[j] - frac * a2[j]) / d2
                        }
                    }
                }
            }
        }
        for i in 0..<p { for j in 0..<i { imat[j * p + i] = imat[i * p + j] } }
        return Value(
            loglik: loglik, score: Array(UnsafeBufferPointer(start: u, count: p)),
            information: Array(UnsafeBufferPointer(start: imat, count: p * p)))
    }
}

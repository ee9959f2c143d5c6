import RealModule

/// The log partial likelihood of a Cox model with its score vector and information matrix, as
/// survival's `coxfit6` computes them, from per-run sums (``RiskSetGroups``): one pass over the
/// rows (on two cores for large data) and one over the runs of a stratum and a time.
struct PartialLikelihood: Sendable {
    /// Times in descending order within strata.
    let time: [Double]
    /// Row-major n × p covariates (centred and scaled), in risk-set order.
    let x: [Double]
    let status: [Bool]
    /// Stratum codes in the same order (subjects of a stratum are contiguous).
    let stratum: [Int32]
    let p: Int
    let ties: CoxModel.Ties
    /// The runs of one stratum and one time (none when summing row by row).
    let groups: RiskSetGroups
    /// Whether the sums go through the runs (``evaluate(_:)``) or row by row
    /// (``evaluateByRow(_:)``); ``CoxModel/Pass``.
    let byRuns: Bool

    /// Runs of at least this many subjects on average make per-run sums pay: a time shared by
    /// several subjects (rounded follow-up); with continuous times, row by row is cheaper.
    static let rowsPerRun = 4

    struct Value {
        var loglik: Double
        var score: [Double]
        /// Row-major p × p.
        var information: [Double]
        /// The runs' sums at this β when small enough to keep (``RiskSetGroups/retainedLimit``).
        var runSums: [Double]?
    }

    /// - Parameters: times in descending order within strata whose subjects are contiguous
    ///   (censorings before deaths at a tie), their status, stratum codes and covariates.
    init(time: [Double], status: [Bool], stratum: [Int32], x: [Double], p: Int, ties: CoxModel.Ties, pass: CoxModel.Pass = .automatic) {
        self.time = time
        self.x = x
        self.status = status
        self.stratum = stratum
        self.p = p
        self.ties = ties
        switch pass {
        case .automatic: byRuns = Self.runCount(time: time, stratum: stratum) * Self.rowsPerRun <= time.count
        case .runs: byRuns = true
        case .rows: byRuns = false
        }
        // Row by row, no runs are needed (and with continuous times they would be as many as rows).
        self.groups =
            byRuns
            ? RiskSetGroups(time: time, status: status, stratum: stratum, x: x, p: p)
            : RiskSetGroups(time: [], status: [], stratum: [], x: [], p: p)
    }

    /// The number of runs of one time and one stratum.
    static func runCount(time: [Double], stratum: [Int32]) -> Int {
        time.withUnsafeBufferPointer { time in
            stratum.withUnsafeBufferPointer { stratum in
                var runs = time.isEmpty ? 0 : 1
                for i in 1..<max(time.count, 1) where time[i] != time[i - 1] || stratum[i] != stratum[i - 1] { runs += 1 }
                return runs
            }
        }
    }

    /// The log partial likelihood, score and information at `beta`, by the pass chosen at `init`.
    func evaluate(_ beta: [Double]) -> Value {
        byRuns ? evaluateByRun(beta) : evaluateByRow(beta)
    }

    /// From the longest follow-up to the shortest, the risk-set sums as running totals of the
    /// runs' sums (coxfit6 adds every subject of a time, deaths included, before its terms).
    func evaluateByRun(_ beta: [Double]) -> Value {
        let p = self.p
        let width = RiskSetGroups.width(p: p)
        let half = RiskSetGroups.half(p: p)
        // Σ η over the deaths, and the deaths' part of the score, do not depend on the risk sets.
        var loglik = 0.0
        for j in 0..<p { loglik += beta[j] * groups.totalDeathSums[j] }
        var u = groups.totalDeathSums
        var imat = [Double](repeating: 0, count: p * p)
        var a = [Double](repeating: 0, count: p)
        var cmat = [Double](repeating: 0, count: p * p)
        var denom = 0.0
        let ties = self.ties
        let groups = self.groups
        let runSums = groups.forEachBlock(beta: beta, x: x, status: status) { range, sums in
            for g in range {
                let c = (g - range.lowerBound) * width
                let d = c + half
                if groups.opensStratum[g] {
                    // A new stratum: its risk sets start empty (coxfit6 resets at a stratum boundary).
                    denom = 0
                    for j in 0..<p { a[j] = 0 }
                    for j in 0..<(p * p) { cmat[j] = 0 }
                }
                denom += sums[c] + sums[d]
                var t = 1 + p
                for i in 0..<p {
                    a[i] += sums[c + 1 + i] + sums[d + 1 + i]
                    for j in 0...i {
                        cmat[i * p + j] += sums[c + t] + sums[d + t]
                        t += 1
                    }
                }
                let deaths = groups.deaths[g]
                guard deaths > 0 else { continue }
                // The deaths' own sums: denom2, a2 and cmat2 of coxfit6.
                let denom2 = sums[d]
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
                    // Σ log d2 as the log of their product, kept in [1, 2) by moving its binary
                    // exponent out after each factor (exact), so a run costs one log, not one per
                    // death; a zero, infinite or NaN factor carries through to the log as before.
                    var sw = 0.0
                    var sfw = 0.0
                    var sw2 = 0.0
                    var sfw2 = 0.0
                    var sf2w2 = 0.0
                    var product = 1.0
                    var exponent = 0
                    for k in 0..<deaths {
                        let frac = Double(k) / dd
                        let d2 = denom - frac * denom2
                        product *= d2
                        if product.isNormal {
                            exponent += Int(product.exponent)
                            product = product.significand
                        }
                        let w = 1 / d2
                        sw += w
                        sfw += frac * w
                        sw2 += w * w
                        sfw2 += frac * w * w
                        sf2w2 += frac * frac * w * w
                    }
                    loglik -= Double.log(product) + Double(exponent) * Double.log(2)
                    var t = 1 + p
                    for i in 0..<p {
                        let a2i = sums[d + 1 + i]
                        u[i] -= a[i] * sw - a2i * sfw
                        for j in 0...i {
                            let a2j = sums[d + 1 + j]
                            imat[i * p + j] +=
                                cmat[i * p + j] * sw - sums[d + t] * sfw
                                - (a[i] * a[j] * sw2 - (a[i] * a2j + a2i * a[j]) * sfw2 + a2i * a2j * sf2w2)
                            t += 1
                        }
                    }
                }
            }
        }
        for i in 0..<p { for j in 0..<i { imat[j * p + i] = imat[i * p + j] } }
        return Value(loglik: loglik, score: u, information: imat, runSums: runSums)
    }
}

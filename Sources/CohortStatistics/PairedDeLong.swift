/// DeLong's test comparing the AUCs of two ROC curves measured on the same subjects, with the
/// confidence interval of the difference — pROC 1.18's `roc.test(r1, r2, method = "delong",
/// paired = TRUE)` (`delong.paired.calculations`, `ci_delong_paired`, `delongPlacementsCpp`).
///
/// Each curve's direction is given (pROC: the `direction` of each `roc`); where they differ
/// pROC warns but still computes DeLong's statistic when the method is named, and so does this.
public struct PairedDeLong: Sendable, Hashable {
    /// AUC of the first curve (θ₁, from the placements, equal to pROC's `auc`).
    public let aucA: Double
    /// AUC of the second curve.
    public let aucB: Double
    /// θ₁ − θ₂.
    public let difference: Double
    /// The standard error of the difference, sqrt(Lᵀ S L) with L = (1, −1).
    public let standardError: Double
    /// difference / standardError (0 when both are 0, as pROC).
    public let z: Double
    /// 2Φ(−|z|).
    public let p: Double
    /// difference ∓ z₁₋α/₂ · standardError.
    public let lower: Double
    public let upper: Double
    public let cases: Int
    public let controls: Int

    /// Compares the curves of predictors `a` and `b` (parallel to `outcome`: `true` = case).
    ///
    /// - Throws: `length_mismatch`; `invalid_value` for a NaN or infinite value; `empty_group`
    ///   with fewer than two cases or two controls (DeLong's variances divide by m − 1 and n − 1);
    ///   `singular_matrix` when the standard error is 0 and the AUCs differ (z infinite);
    ///   `invalid_parameter` for a level outside (0, 1).
    public init(
        _ a: [Double], _ b: [Double], outcome: [Bool], directions: (ROCCurve.Direction, ROCCurve.Direction), level: Double = 0.95
    ) throws {
        guard a.count == outcome.count, b.count == outcome.count else {
            throw StatisticsError(.lengthMismatch, "\(a.count) and \(b.count) predictor values but \(outcome.count) outcomes")
        }
        if let i = a.indices.first(where: { !a[$0].isFinite || !b[$0].isFinite }) {
            throw StatisticsError(.invalidValue, "observation \(i + 1) has a missing or infinite predictor value")
        }
        let m = outcome.filter { $0 }.count
        let n = outcome.count - m
        guard m >= 2, n >= 2 else {
            throw StatisticsError(
                .emptyGroup, "DeLong's test needs at least two cases and two controls (here \(m) and \(n))")
        }
        let z1 = try Normal.criticalValue(level: level)
        let r = Self.placements(a, outcome: outcome, direction: directions.0, cases: m, controls: n)
        let s = Self.placements(b, outcome: outcome, direction: directions.1, cases: m, controls: n)
        let mm = Double(m)
        let nn = Double(n)
        // SX = cov of the case placements / (m − 1), SY of the control placements / (n − 1).
        var sx = (0.0, 0.0, 0.0, 0.0)
        for i in 0..<m {
            let dr = r.x[i] - r.theta
            let ds = s.x[i] - s.theta
            sx.0 += dr * dr
            sx.1 += dr * ds
            sx.2 += ds * dr
            sx.3 += ds * ds
        }
        var sy = (0.0, 0.0, 0.0, 0.0)
        for j in 0..<n {
            let dr = r.y[j] - r.theta
            let ds = s.y[j] - s.theta
            sy.0 += dr * dr
            sy.1 += dr * ds
            sy.2 += ds * dr
            sy.3 += ds * ds
        }
        let s11 = sx.0 / (mm - 1) / mm + sy.0 / (nn - 1) / nn
        let s12 = sx.1 / (mm - 1) / mm + sy.1 / (nn - 1) / nn
        let s21 = sx.2 / (mm - 1) / mm + sy.2 / (nn - 1) / nn
        let s22 = sx.3 / (mm - 1) / mm + sy.3 / (nn - 1) / nn
        // L %*% S %*% L with L = (1, -1): (S11 − S21) − (S12 − S22).
        let variance = (s11 - s21) - (s12 - s22)
        let sig = max(variance, 0).squareRoot()
        let d = r.theta - s.theta
        let z: Double
        if sig == 0 {
            // pROC delong.paired.test: a NaN z from d = sig = 0 is 0.
            guard d == 0 else {
                throw StatisticsError(.singularMatrix, "the AUCs differ but the standard error of the difference is 0")
            }
            z = 0
        } else {
            z = d / sig
        }
        aucA = r.theta
        aucB = s.theta
        difference = d
        standardError = sig
        self.z = z
        p = 2 * Normal.cdf(-abs(z))
        lower = d - z1 * sig
        upper = d + z1 * sig
        cases = m
        controls = n
    }

    /// DeLong's placements as `delongPlacementsCpp`: for each case (in input order) the share of
    /// controls below it plus half the ties, for each control 1 − the share of cases below it
    /// minus half the ties; values negated for direction ">" (lower is positive).
    static func placements(_ x: [Double], outcome: [Bool], direction: ROCCurve.Direction, cases m: Int, controls n: Int)
        -> (theta: Double, x: [Double], y: [Double])
    {
        let sign: Double = direction == .lowerIsPositive ? -1 : 1
        let order = RadixSort.order(x.map { RadixSort.key(sign * $0) })
        var xy = [Double](repeating: 0, count: x.count)
        var controlsBelow = 0
        var casesBelow = 0
        var i = 0
        while i < order.count {
            let value = sign * x[Int(order[i])]
            var end = i
            var tiedCases = 0
            var tiedControls = 0
            while end < order.count && sign * x[Int(order[end])] == value {
                if outcome[Int(order[end])] { tiedCases += 1 } else { tiedControls += 1 }
                end += 1
            }
            for k in i..<end {
                let subject = Int(order[k])
                xy[subject] =
                    outcome[subject]
                    ? Double(controlsBelow) + Double(tiedControls) / 2.0
                    : Double(casesBelow) + Double(tiedCases) / 2.0
            }
            controlsBelow += tiedControls
            casesBelow += tiedCases
            i = end
        }
        var sum = 0.0
        var caseX: [Double] = []
        var controlY: [Double] = []
        caseX.reserveCapacity(m)
        controlY.reserveCapacity(n)
        let nn = Double(n)
        let mm = Double(m)
        for k in 0..<x.count {
            if outcome[k] {
                sum += xy[k]
                caseX.append(xy[k] / nn)
            } else {
                controlY.append(1.0 - xy[k] / mm)
            }
        }
        return (sum / mm / nn, caseX, controlY)
    }
}

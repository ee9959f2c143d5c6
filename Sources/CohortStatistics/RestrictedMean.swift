/// The restricted mean survival time up to `tau`: the area under the Kaplan–Meier curve from 0 to
/// `tau`, the last value carried flat to `tau`, with its standard error, as survival's
/// `print(survfit(...), rmean = tau)` (`survmean` in print.survfit.R) computes them.
///
/// Why survival's and not another variance: the contract's reference is
/// `summary(survfit, rmean = tau)$table`, whose `se(rmean)` sums, over the curve's times t_i ≤ tau,
/// (area after t_i up to tau)² · d_i / (n_i (n_i − d_i)) (Miller 1981, pp. 195–196), with the term
/// 0 where n_i = d_i.
public struct RestrictedMean: Sendable, Hashable {
    public let tau: Double
    /// RMST: ∫₀^τ S(t) dt.
    public let estimate: Double
    public let standardError: Double

    /// - Throws: `invalid_parameter` when `tau` is not a positive finite number or lies after the
    ///   curve's last time (survRM2's `rmst2` refuses it; survival would carry the curve flat).
    public init(_ curve: KaplanMeier, tau: Double) throws {
        guard tau.isFinite, tau > 0 else { throw StatisticsError(.invalidParameter, "tau must be a positive number, not \(tau)") }
        guard tau <= curve.lastTime else {
            throw StatisticsError(.invalidParameter, "tau \(tau) is after the last follow-up time \(curve.lastTime)")
        }
        self.tau = tau
        // Rectangles: from 0 (survmean's start.time = min(0, times)) to each time ≤ tau, then to tau.
        let kept = curve.rows.prefix { $0.time <= tau }
        var times: [Double] = kept.map(\.time)
        var survival: [Double] = kept.map(\.survival)
        var hazard: [Double] = kept.map { row in
            let n = Double(row.atRisk)
            let d = Double(row.events)
            return row.atRisk - row.events == 0 ? 0 : d / (n * (n - d))
        }
        times.append(tau)
        survival.append(survival.last ?? 1)
        hazard.append(0)
        let count = times.count
        var rectangles = [Double](repeating: 0, count: count)
        var previousTime = 0.0
        for k in 0..<count {
            rectangles[k] = (times[k] - previousTime) * (k == 0 ? 1 : survival[k - 1])
            previousTime = times[k]
        }
        estimate = rectangles.reduce(0, +)
        // Σ_{i < count−1} (Σ_{k > i} rectangles_k)² · hazard_i, summed from the end as survmean does.
        var after = 0.0
        var variance = 0.0
        if count >= 2 {
            for i in stride(from: count - 2, through: 0, by: -1) {
                after += rectangles[i + 1]
                variance += after * after * hazard[i]
            }
        }
        standardError = variance.squareRoot()
    }
}

import RealModule

/// Multiple-comparison adjustments of p-values, computed as R's `p.adjust(p, method, n)`.
///
/// Used by the pairwise log-rank comparisons, where every pair of levels is one test and the
/// family is all the pairs (also those whose p is not estimable: `n` counts them, as R's
/// `p.adjust(p, n = length(p))` does with `NA`s).
public enum PValueAdjustment: String, Sendable, Hashable, CaseIterable {
    /// `p.adjust(method = "none")`: the p-values unchanged.
    case none
    /// `p.adjust(method = "bonferroni")`: min(1, n·p).
    case bonferroni
    /// `p.adjust(method = "holm")`: Holm's step-down method.
    case holm
    /// `p.adjust(method = "BH")`: Benjamini–Hochberg's false discovery rate.
    case benjaminiHochberg = "BH"

    /// The adjusted p-values, in the order of `p`; a `nil` stays `nil` and is not ranked.
    ///
    /// - Parameter n: the number of comparisons (R's `n`), at least the number of non-nil p;
    ///   defaults to `p.count`.
    public func adjust(_ p: [Double?], n: Int? = nil) -> [Double?] {
        let present = p.indices.filter { p[$0] != nil }
        let values = present.map { p[$0] ?? 0 }
        let lp = values.count
        let nn = Double(max(n ?? p.count, lp))
        var adjusted = values
        switch self {
        case .none:
            break
        case .bonferroni:
            adjusted = values.map { min(1, nn * $0) }
        case .holm:
            // i <- seq_len(lp); o <- order(p); pmin(1, cummax((n - i + 1L) * p[o]))[ro]
            let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
            var running = -Double.infinity
            for (rank, index) in order.enumerated() {
                running = max(running, (nn - Double(rank + 1) + 1) * values[index])
                adjusted[index] = min(1, running)
            }
        case .benjaminiHochberg:
            // i <- lp:1L; o <- order(p, decreasing = TRUE); pmin(1, cummin(n / i * p[o]))[ro]
            let order = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
            var running = Double.infinity
            for (rank, index) in order.enumerated() {
                let i = Double(lp - rank)
                running = min(running, nn / i * values[index])
                adjusted[index] = min(1, running)
            }
        }
        var result = [Double?](repeating: nil, count: p.count)
        for (k, index) in present.enumerated() { result[index] = adjusted[k] }
        return result
    }
}

/// R's `signif(x, digits)` (`fprec` in R's C library): `x` rounded to `digits` significant digits.
///
/// EZR's `pairwise.logrank.test` applies `signif(p, 3)` before `p.adjust`, so the adjusted
/// values under `profile: ezr` depend on this rounding being R's to the last bit — also for
/// p-values near the bottom of the double range (a χ² of several thousand), where R scales in
/// two steps instead of returning x unchanged.
public func significantDigits(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite, x != 0 else { return x }
    // fprec: digits above MAX_DIGITS (22) return x; below 1 mean 1.
    guard digits <= 22 else { return x }
    let dig = max(digits, 1)
    let sign: Double = x < 0 ? -1 : 1
    let magnitude = abs(x)
    let l10 = Double.log10(magnitude)
    var e10 = dig - 1 - Int(l10.rounded(.down))
    // fprec's max10e = (int)(DBL_MAX_EXP * log10(2)) = 308.
    let max10e = 308
    if abs(l10) < Double(max10e - 2) {
        var p10 = 1.0
        if e10 > max10e {
            // Numbers below 10^(dig − 1) · 1e-308: scale in two steps.
            p10 = powerOfTen(e10 - max10e)
            e10 = max10e
        }
        if e10 > 0 {
            // A power ≥ 1, so exactly representable as long as it can be.
            let pow10 = powerOfTen(e10)
            return sign * (((magnitude * pow10) * p10).rounded(.toNearestOrEven) / pow10) / p10
        } else {
            let pow10 = powerOfTen(-e10)
            return sign * ((magnitude / pow10).rounded(.toNearestOrEven) * pow10)
        }
    }
    // Large or small: fprec scales by 10^e2 and 10^(e10 − e2) (their product 10^e10) so that
    // neither step overflows, and rounds half up by floor(x + 0.5) when rounding is meaningful.
    let doRound = Double(max10e) - l10 >= powerOfTen(-dig)
    let e2 = dig + (e10 > 0 ? 1 : -1) * 22
    let p10 = powerOfTen(e2)
    let big10 = powerOfTen(e10 - e2)
    var scaled = magnitude * p10
    scaled *= big10
    if doRound { scaled += 0.5 }
    scaled = scaled.rounded(.down) / p10
    return sign * scaled / big10
}

/// 10^n as R's `R_pow_di(10., n)`: repeated squaring (exact up to 10^22); for a negative n,
/// 1 / 10^|n| (R inverts at the end).
private func powerOfTen(_ n: Int) -> Double {
    var result = 1.0
    var base = 10.0
    var e = n.magnitude
    while true {
        if e & 1 == 1 { result *= base }
        e >>= 1
        if e == 0 { break }
        base *= base
    }
    return n < 0 ? 1 / result : result
}

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

/// R's `signif(x, digits)` (`fprec` in R's C library): `x` rounded to `digits` significant digits,
/// half to even on the scaled value, scaling by an exactly representable power of ten.
///
/// EZR's `pairwise.logrank.test` applies `signif(p, 3)` before `p.adjust`, so the adjusted
/// values under `profile: ezr` depend on this rounding being R's to the last bit.
public func significantDigits(_ x: Double, _ digits: Int) -> Double {
    guard x.isFinite, x != 0 else { return x }
    let dig = min(max(digits, 1), 22)
    let sign: Double = x < 0 ? -1 : 1
    let magnitude = abs(x)
    let l10 = Double.log10(magnitude)
    let e10 = dig - 1 - Int(l10.rounded(.down))
    // R: when |log10(x)| is far from the double range, it falls back to a slower path; p-values
    // and ordinary statistics never come near it, so a plain power is used within ±300.
    guard abs(l10) < 306, abs(e10) <= 300 else { return x }
    if e10 > 0 {
        let p10 = powerOfTen(e10)
        return sign * ((magnitude * p10).rounded(.toNearestOrEven) / p10)
    } else {
        let p10 = powerOfTen(-e10)
        return sign * ((magnitude / p10).rounded(.toNearestOrEven) * p10)
    }
}

/// 10^n by repeated squaring, as R's `R_pow_di` (exact up to 10^22).
private func powerOfTen(_ n: Int) -> Double {
    var result = 1.0
    var base = 10.0
    var e = n
    while e > 0 {
        if e & 1 == 1 { result *= base }
        e >>= 1
        if e > 0 { base *= base }
    }
    return result
}

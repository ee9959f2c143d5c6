import RealModule

/// The chi-square distribution's upper tail, for any positive degrees of freedom.
public enum ChiSquared {
    /// P(X > x) for X ~ χ²(df), accurate to about 1e-14 relative (R's `pchisq(x, df,
    /// lower.tail = FALSE)`).
    ///
    /// One and two degrees of freedom use closed forms (erfc, exp); others the regularised
    /// upper incomplete gamma function Q(df/2, x/2). Returns 1 for x ≤ 0 and `nil` when df ≤ 0
    /// or either argument is not finite.
    public static func upperTail(_ x: Double, df: Double) -> Double? {
        guard df > 0, df.isFinite, !x.isNaN else { return nil }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        if df == 1 { return Double.erfc((x / 2).squareRoot()) }
        if df == 2 { return Double.exp(-x / 2) }
        return IncompleteGamma.upperRegularized(a: df / 2, x: x / 2)
    }
}

/// Regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x).
///
/// Series for x < a + 1 and a Legendre continued fraction otherwise (as in Cephes `igam`,
/// `igamc`), so that the smaller of P and Q is always computed directly, without cancellation.
enum IncompleteGamma {
    private static let epsilon = Double.ulpOfOne / 2
    private static let big = 4.503599627370496e15
    private static let bigInverse = 2.22044604925031308085e-16

    /// The common factor xᵃ e⁻ˣ / Γ(a), computed in logs.
    private static func prefactor(a: Double, x: Double) -> Double {
        Double.exp(a * Double.log(x) - x - Double.logGamma(a))
    }

    /// Q(a, x) for a > 0, x > 0.
    static func upperRegularized(a: Double, x: Double) -> Double {
        if x < 1 || x < a { return 1 - lowerSeries(a: a, x: x) }
        return upperContinuedFraction(a: a, x: x)
    }

    /// P(a, x) for a > 0, x > 0.
    static func lowerRegularized(a: Double, x: Double) -> Double {
        if x > 1 && x > a { return 1 - upperContinuedFraction(a: a, x: x) }
        return lowerSeries(a: a, x: x)
    }

    private static func lowerSeries(a: Double, x: Double) -> Double {
        let ax = prefactor(a: a, x: x)
        if ax == 0 { return 0 }
        var r = a
        var c = 1.0
        var sum = 1.0
        for _ in 0..<10_000 {
            r += 1
            c *= x / r
            sum += c
            if c / sum <= epsilon { break }
        }
        return sum * ax / a
    }

    private static func upperContinuedFraction(a: Double, x: Double) -> Double {
        let ax = prefactor(a: a, x: x)
        if ax == 0 { return 0 }
        var y = 1 - a
        var z = x + y + 1
        var c = 0.0
        var pkm2 = 1.0
        var qkm2 = x
        var pkm1 = x + 1
        var qkm1 = z * x
        var answer = pkm1 / qkm1
        for _ in 0..<10_000 {
            c += 1
            y += 1
            z += 2
            let yc = y * c
            let pk = pkm1 * z - pkm2 * yc
            let qk = qkm1 * z - qkm2 * yc
            var t = 1.0
            if qk != 0 {
                let r = pk / qk
                t = abs((answer - r) / r)
                answer = r
            }
            pkm2 = pkm1
            pkm1 = pk
            qkm2 = qkm1
            qkm1 = qk
            if abs(pk) > big {
                pkm2 *= bigInverse
                pkm1 *= bigInverse
                qkm2 *= bigInverse
                qkm1 *= bigInverse
            }
            if t <= epsilon { break }
        }
        return answer * ax
    }
}

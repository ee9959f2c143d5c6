import RealModule

/// The regularized incomplete beta function I_x(a, b) and its complement, and R's `lbeta`.
///
/// Why: the F distribution (one-way ANOVA) needs tails accurate to 1e-12 relative. Both tails are
/// computed from the continued fraction on the side where it converges (x < (a + 1)/(a + b + 2)),
/// so that the smaller tail is never obtained as 1 − (a number near 1). The prefactor
/// xᵃ(1 − x)ᵇ / B(a, b) is formed in logs with `lbeta` computed as R does (Stirling corrections
/// for large arguments), which keeps it accurate for the large degrees of freedom of real tables.
public enum IncompleteBeta {
    /// (I_x(a, b), 1 − I_x(a, b)) for a, b > 0 and x in [0, 1], given x and y = 1 − x separately
    /// (the caller usually knows y without cancellation). `nil` for arguments outside the domain.
    public static func regularized(x: Double, y: Double, a: Double, b: Double) -> (lower: Double, upper: Double)? {
        guard a > 0, b > 0, a.isFinite, b.isFinite, x >= 0, y >= 0, x <= 1, y <= 1, x.isFinite, y.isFinite else {
            return nil
        }
        if x == 0 { return (0, 1) }
        if y == 0 { return (1, 0) }
        if x < (a + 1) / (a + b + 2) {
            let lower = direct(x: x, y: y, a: a, b: b)
            return (lower, 1 - lower)
        }
        let upper = direct(x: y, y: x, a: b, b: a)
        return (1 - upper, upper)
    }

    /// I_x(a, b) by the continued fraction (modified Lentz), valid for x < (a + 1)/(a + b + 2).
    private static func direct(x: Double, y: Double, a: Double, b: Double) -> Double {
        let logX = x < 0.5 ? Double.log(x) : Double.log(onePlus: -y)
        let logY = y < 0.5 ? Double.log(y) : Double.log(onePlus: -x)
        let front = Double.exp(a * logX + b * logY - logBeta(a, b)) / a
        return front * continuedFraction(x: x, a: a, b: b)
    }

    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let epsilon = Double.ulpOfOne / 2
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) <= epsilon { break }
        }
        return h
    }

    /// log B(a, b), as R's `lbeta`: for large arguments through Stirling's corrections, so that
    /// the difference of three large log-gamma values does not lose digits.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b)
        let q = max(a, b)
        let logSqrt2Pi = 0.918938533204672741780329736406
        if p >= 10 {
            let corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
            return -0.5 * Double.log(q) + logSqrt2Pi + corr + (p - 0.5) * Double.log(p / (p + q))
                + q * Double.log(onePlus: -p / (p + q))
        }
        if q >= 10 {
            let corr = stirlingCorrection(q) - stirlingCorrection(p + q)
            return Double.logGamma(p) + corr + p - p * Double.log(p + q) + (q - 0.5) * Double.log(onePlus: -p / (p + q))
        }
        return Double.logGamma(p) + Double.logGamma(q) - Double.logGamma(p + q)
    }

    /// log Γ(x) − [(x − ½) log x − x + ½ log 2π] for x ≥ 10 (R's `lgammacor`), by its asymptotic
    /// series: at x = 10 the first omitted term is below 1e-17.
    static func stirlingCorrection(_ x: Double) -> Double {
        let inverse = 1 / x
        let s = inverse * inverse
        // Bernoulli terms B_2k / (2k (2k − 1) x^(2k−1)), k = 1...8.
        let coefficients: [Double] = [
            1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360_360, 1.0 / 156, -3617.0 / 122_400,
        ]
        var sum = 0.0
        for c in coefficients.reversed() { sum = sum * s + c }
        return sum * inverse
    }
}

/// The F distribution's upper tail (R's `pf(f, df1, df2, lower.tail = FALSE)`).
public enum FDistribution {
    /// P(X > f) for X ~ F(df1, df2), accurate to about 1e-13 relative; 1 for f ≤ 0, 0 for f = ∞,
    /// `nil` when a degree of freedom is not positive and finite or f is NaN.
    public static func upperTail(_ f: Double, df1: Double, df2: Double) -> Double? {
        guard df1 > 0, df2 > 0, df1.isFinite, df2.isFinite, !f.isNaN else { return nil }
        if f <= 0 { return 1 }
        if f == .infinity { return 0 }
        // P(F > f) = I_x(df2/2, df1/2) with x = df2/(df2 + df1 f), 1 − x = df1 f/(df2 + df1 f).
        let denominator = df2 + df1 * f
        return IncompleteBeta.regularized(x: df2 / denominator, y: df1 * f / denominator, a: df2 / 2, b: df1 / 2)?.lower
    }
}

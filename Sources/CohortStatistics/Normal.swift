import RealModule

/// The standard normal distribution: tails and quantiles accurate to about 1e-15 relative.
public enum Normal {
    /// P(Z ≤ z) for a standard normal Z.
    public static func cdf(_ z: Double) -> Double {
        0.5 * Double.erfc(-z / 2.0.squareRoot())
    }

    /// P(Z > z) for a standard normal Z, accurate in the far upper tail (no `1 - cdf`).
    public static func upperTail(_ z: Double) -> Double {
        0.5 * Double.erfc(z / 2.0.squareRoot())
    }

    /// Two-sided p-value of a Wald statistic: P(|Z| ≥ |z|).
    public static func twoSidedP(_ z: Double) -> Double {
        Double.erfc(abs(z) / 2.0.squareRoot())
    }

    /// The quantile function (inverse CDF): the z with P(Z ≤ z) = p.
    ///
    /// Wichura's algorithm AS 241 (PPND16), the method of R's `qnorm`, accurate to about
    /// 1e-16. Returns -∞ for p = 0 and +∞ for p = 1; `nil` for p outside [0, 1] or NaN.
    public static func quantile(_ p: Double) -> Double? {
        guard p >= 0, p <= 1 else { return nil }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            let num =
                (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r
                    + 67265.770927008700853) * r + 45921.953931549871457) * r
                    + 13731.693765509461125) * r + 1971.5909503065514427) * r
                    + 133.14166789178437745) * r + 3.387132872796366608)
            let den =
                (((((((r * 5226.495278852545925 + 28729.085735721942674) * r
                    + 39307.89580009271061) * r + 21213.794301586595867) * r
                    + 5394.1960214247511077) * r + 687.1870074920579083) * r
                    + 42.313330701600911252) * r + 1.0)
            return q * num / den
        }
        var r = q < 0 ? p : 1 - p
        r = (-Double.log(r)).squareRoot()
        var value: Double
        if r <= 5 {
            r -= 1.6
            let num =
                (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r
                    + 0.24178072517745061177) * r + 1.27045825245236838258) * r
                    + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                    + 4.6303378461565452959) * r + 1.42343711074968357734)
            let den =
                (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r
                    + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
                    + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                    + 2.05319162663775882187) * r + 1.0)
            value = num / den
        } else {
            r -= 5
            let num =
                (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r
                    + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
                    + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                    + 5.4637849111641143699) * r + 6.6579046435011037772)
            let den =
                (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r
                    + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
                    + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                    + 0.59983220655588793769) * r + 1.0)
            value = num / den
        }
        return q < 0 ? -value : value
    }

    /// The two-sided critical value z with P(|Z| ≤ z) = `level` (1.959963984540054 for 0.95),
    /// computed as R does: `qnorm(1 - (1 - level) / 2)`.
    ///
    /// - Throws: ``StatisticsError/Code/invalidParameter`` unless 0 < level < 1.
    public static func criticalValue(level: Double) throws -> Double {
        guard level > 0, level < 1, let z = quantile(1 - (1 - level) / 2) else {
            throw StatisticsError(.invalidParameter, "confidence level \(level) is not between 0 and 1")
        }
        return z
    }
}

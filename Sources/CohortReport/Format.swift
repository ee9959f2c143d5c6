import Foundation

/// Number formatting for people (results.json keeps full precision).
public enum Format {
    /// Fixed decimals, as C's `printf("%.*f")` and so R's `sprintf` round them: the exact binary
    /// value rounded to `digits` decimals, an exact tie to even, a negative value that rounds to
    /// zero keeping its sign ("-0.00").
    public static func fixed(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return "NA" }
        let digits = max(0, digits)
        return exactFixed(x, digits: digits) ?? String(format: "%.*f", digits, x)
    }

    private static let powersOfTen: [UInt64] = (0...9).map { k in (0..<k).reduce(1) { r, _ in r * 10 } }

    /// `fixed` in integer arithmetic (a report formats thousands of numbers; `String(format:)`
    /// goes through Foundation's locale-aware path). `nil` outside its range (|x| ≥ 2⁶³,
    /// more than 9 digits): the caller falls back to `printf`.
    static func exactFixed(_ x: Double, digits: Int) -> String? {
        guard digits <= 9, abs(x) < 0x1p63 else { return nil }
        let negative = x.sign == .minus
        let magnitude = abs(x)
        let scale = powersOfTen[digits]
        // magnitude = significand · 2^exponent exactly, significand < 2^53.
        var units: UInt64 = 0  // round(magnitude · 10^digits)
        if magnitude != 0 {
            let exponent = Int(magnitude.exponent) - 52
            let significand = UInt128(magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0))
            let product = significand * UInt128(scale)  // < 2^83
            if exponent >= 0 {
                guard exponent < 40, product << UInt128(exponent) < UInt128(UInt64.max) else { return nil }
                units = UInt64(product << UInt128(exponent))
            } else if -exponent >= 120 {
                units = 0  // far below the last digit
            } else {
                let shift = UInt128(-exponent)
                let quotient = product >> shift
                let remainder = product - (quotient << shift)
                let half = UInt128(1) << (shift - 1)
                var q = quotient
                if remainder > half || (remainder == half && quotient & 1 == 1) { q += 1 }
                guard q < UInt128(UInt64.max) else { return nil }
                units = UInt64(q)
            }
        }
        let whole = units / scale
        var text = negative ? "-" : ""
        text += String(whole)
        if digits > 0 {
            let fraction = String(units % scale)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// Up to `significant` significant digits, no trailing zeros ("14.8", "2.48", "27").
    public static func short(_ x: Double, significant: Int = 4) -> String {
        guard x.isFinite else { return x > 0 ? "∞" : (x < 0 ? "−∞" : "NA") }
        if x == x.rounded() && abs(x) < 1e12 { return String(Int64(x)) }
        let magnitude = x == 0 ? 0 : Int((abs(x)).log10Floor)
        let digits = max(0, min(10, significant - 1 - magnitude))
        var s = fixed(x, digits: digits)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// A level or group label as a reader expects it: booleans' "yes"/"no" capitalised and
    /// ">=" / "<=" as "≥" / "≤" (results.json keeps the contract's plain forms).
    public static func display(_ level: String) -> String {
        switch level {
        case "yes": return "Yes"
        case "no": return "No"
        case "all": return "All patients"
        default:
            guard level.hasPrefix(">= ") || level.hasPrefix("<= ") else { return level }
            return (level.hasPrefix(">") ? "≥ " : "≤ ") + level.dropFirst(3)
        }
    }

    /// A p-value as papers print it: "<0.001" or three decimals.
    public static func pValue(_ p: Double) -> String {
        p < 0.001 ? "<0.001" : fixed(p, digits: 3)
    }

    /// A proportion as a percentage with one decimal ("62.5%").
    public static func percent(_ x: Double?) -> String {
        guard let x else { return "NA" }
        return fixed(100 * x, digits: 1) + "%"
    }
}

extension Double {
    fileprivate var log10Floor: Double {
        var v = self
        var e = 0.0
        while v >= 10 {
            v /= 10
            e += 1
        }
        while v < 1 && v > 0 {
            v *= 10
            e -= 1
        }
        return e
    }
}

extension Format {
    /// An estimate with its confidence interval as papers print it: "49.9 (30.0–59.4)", or with
    /// `percent` a proportion as "62.5% (40.3–78.4)". A limit that is not estimable prints "NA";
    /// an estimate that is not estimable prints `missing` alone (a median "not reached").
    public static func interval(
        _ estimate: Double?, lower: Double?, upper: Double?, digits: Int, percent: Bool,
        missing: String = "not reached"
    ) -> String {
        func f(_ x: Double?) -> String {
            guard let x else { return "NA" }
            return fixed(percent ? 100 * x : x, digits: digits)
        }
        guard estimate != nil else { return missing }
        return "\(f(estimate))\(percent ? "%" : "") (\(f(lower))–\(f(upper)))"
    }
}

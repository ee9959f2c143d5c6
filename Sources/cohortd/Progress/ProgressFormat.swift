import Foundation

/// How the progress line writes sizes, rates, counts and seconds (decimal units, as `ls -h --si`).
enum ProgressFormat {
    static func bytes(_ count: Int) -> String {
        let value = Double(count)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
        return "\(count) B"
    }

    static func rate(_ count: Int, _ seconds: Double) -> String {
        guard seconds > 0 else { return "-" }
        return bytes(Int(Double(count) / seconds)) + "/s"
    }

    static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    /// Seconds from `start` to now.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// A count with thousands separators (1,000,000).
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (k, c) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}

import CohortStatistics
import Testing

/// Normal and chi-square functions against R's qnorm, pnorm and pchisq (1e-12 relative).
@Suite struct DistributionTests {
    static var reference: [String: Any] { EdgeCaseTests.reference }

    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return a == b || abs(a - b) <= tolerance * abs(b)
    }

    @Test func normalQuantile() {
        let ref = Self.reference[dict: "qnorm"]
        let p = EdgeCaseTests.doubles(ref["p"])
        let q = EdgeCaseTests.doubles(ref["q"])
        #expect(p.count == q.count && p.count > 5)
        for (pi, qi) in zip(p, q) {
            #expect(Self.close(Normal.quantile(pi), qi), "qnorm(\(pi)) = \(String(describing: Normal.quantile(pi))), R \(qi)")
        }
        #expect(Normal.quantile(-0.1) == nil)
        #expect(Normal.quantile(0) == -.infinity)
    }

    @Test func normalUpperTail() {
        let ref = Self.reference[dict: "pnorm_upper"]
        for (z, p) in zip(EdgeCaseTests.doubles(ref["z"]), EdgeCaseTests.doubles(ref["p"])) {
            #expect(Self.close(Normal.upperTail(z), p), "pnorm(\(z), lower = FALSE)")
            #expect(Self.close(Normal.cdf(-z), p), "pnorm(\(-z))")
        }
    }

    @Test func chiSquareUpperTail() {
        let cases = Self.reference[list: "pchisq"]
        #expect(cases.count > 10)
        for c in cases {
            let x = (c["x"] as? Double) ?? .nan
            let df = (c["df"] as? Double) ?? .nan
            let p = (c["p"] as? Double) ?? .nan
            #expect(
                Self.close(ChiSquared.upperTail(x, df: df), p),
                "pchisq(\(x), \(df), lower = FALSE): \(String(describing: ChiSquared.upperTail(x, df: df))) vs \(p)")
        }
        #expect(ChiSquared.upperTail(0, df: 3) == 1)
        #expect(ChiSquared.upperTail(1, df: 0) == nil)
    }

    @Test func criticalValueRejectsBadLevels() {
        #expect(throws: StatisticsError.self) { try Normal.criticalValue(level: 1) }
        #expect(throws: StatisticsError.self) { try Normal.criticalValue(level: 0) }
    }
}

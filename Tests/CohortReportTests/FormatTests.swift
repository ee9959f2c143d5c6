import CohortReport
import Foundation
import Testing

/// `Format.fixed` formats in integer arithmetic; it must print exactly what C's printf does.
@Suite struct FixedFormatTests {
    @Test func agreesWithPrintf() {
        var g = SystemRandomNumberGenerator()
        var values: [Double] = [
            0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -0.0001, 0.285, 1.005, 2.675, 1e15 + 0.5,
            9_223_372_036_854_774_784, 123_456.789, 0.1, 0.7, 99.995, -99.995, .leastNonzeroMagnitude, 1e-300,
        ]
        for _ in 0..<5_000 {
            let magnitude = Double.random(in: -8...16, using: &g)
            values.append((Bool.random(using: &g) ? -1 : 1) * Double.random(in: 0..<1, using: &g) * pow(10, magnitude))
            // Exact ties at some digit: k / 2^j.
            values.append(Double(Int.random(in: -100_000...100_000, using: &g)) / Double(1 << Int.random(in: 1...12, using: &g)))
        }
        var mismatches: [String] = []
        for x in values {
            for digits in 0...9 {
                let expected = String(format: "%.*f", digits, x)
                let got = Format.fixed(x, digits: digits)
                if got != expected && mismatches.count < 5 { mismatches.append("\(x) digits \(digits): \(got) vs \(expected)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}

/// The shared "estimate (CI)" form of every survival table.
@Suite struct IntervalFormatTests {
    @Test func estimatesWithTheirIntervals() {
        #expect(Format.interval(0.625, lower: 0.403, upper: 0.784, digits: 1, percent: true) == "62.5% (40.3–78.4)")
        #expect(Format.interval(49.94, lower: 30, upper: 59.4, digits: 1, percent: false) == "49.9 (30.0–59.4)")
        #expect(Format.interval(1, lower: nil, upper: nil, digits: 1, percent: true) == "100.0% (NA–NA)")
        #expect(Format.interval(nil, lower: 20, upper: nil, digits: 1, percent: false) == "not reached")
        #expect(Format.interval(nil, lower: nil, upper: nil, digits: 1, percent: true, missing: "NA") == "NA")
    }

    @Test func pValuesAndShortNumbers() {
        #expect(Format.pValue(0.0004) == "<0.001")
        #expect(Format.pValue(0.0456) == "0.046")
        #expect(Format.short(14.7777) == "14.78")
        #expect(Format.short(27) == "27")
        #expect(Format.short(.infinity) == "∞")
        #expect(Format.display(">= 14.8") == "≥ 14.8")
        #expect(Format.display("yes") == "Yes")
    }
}

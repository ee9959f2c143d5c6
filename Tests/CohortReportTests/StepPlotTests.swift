import CohortReport
import Foundation
import Testing

/// The censoring marks of a survival curve: one filled 1.5 × 8 rectangle per censored step,
/// centred on the step's time and the curve's value there (what a butt-capped 1.5-wide stroke
/// of the mark covers), and no stroked mark path.
@Suite struct StepPlotTests {
    /// The `d` of the curve's mark path, found by its fill (the curve itself is stroked).
    static func markPath(_ svg: String) -> String? {
        for line in svg.split(separator: "\n") where line.hasPrefix("<path d=\"") && line.contains("fill=\"#0072B2\"") {
            let start = line.index(line.startIndex, offsetBy: 9)
            guard let end = line[start...].firstIndex(of: "\"") else { return nil }
            return String(line[start..<end])
        }
        return nil
    }

    @Test func censoringMarksAreFilledRectanglesAtTheCensoredSteps() throws {
        let steps: [(time: Double, value: Double, tick: Bool)] = [
            (10, 0.9, false), (20, 0.9, true), (30, 0.6, true), (40, 0.5, false), (50, 0.5, true),
        ]
        let plot = StepPlot(
            title: "Overall survival", timeUnit: "months", yLabel: "Survival",
            series: [.init(label: "All", start: 1, steps: steps, lastTime: 50, atRisk: { $0.map { _ in 0 } })])
        let svg = plot.svg()
        let d = try #require(Self.markPath(svg))
        let rectangles = d.split(separator: "z").map { String($0) }
        #expect(rectangles.count == 3)
        // x from 120 to 696 over 0–50 months (breaks every 10), y from 48 (1) to 348 (0).
        func mark(_ time: Double, _ value: Double) -> (x: Double, y: Double) { (120 + 576 * time / 50, 48 + 300 * (1 - value)) }
        let expected = [mark(20, 0.9), mark(30, 0.6), mark(50, 0.5)]
        for (rectangle, mark) in zip(rectangles, expected) {
            #expect(rectangle.hasSuffix("h1.5v8h-1.5"))
            let corner = try #require(rectangle.dropFirst().split(separator: "h").first).split(separator: ",").compactMap { Double($0) }
            try #require(corner.count == 2)
            #expect(abs(corner[0] + 0.75 - mark.x) < 0.006)
            #expect(abs(corner[1] + 4 - mark.y) < 0.06)
        }
        #expect(!svg.contains("stroke-width=\"1.5\""))
    }
}

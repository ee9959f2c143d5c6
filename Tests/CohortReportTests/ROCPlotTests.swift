import Foundation
import Testing

@testable import CohortReport

/// The ROC figure's curves drawn through fewer points: every point left out within the SVG's
/// precision of the line drawn, the ends and the corners kept.
@Suite struct ROCPlotTests {
    /// Distance from `p` to the segment `a`–`b`.
    static func distance(_ p: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
        let dx = b.x - a.x
        let dy = b.y - a.y
        let lengthSquared = dx * dx + dy * dy
        let t = lengthSquared > 0 ? max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared)) : 0
        let (cx, cy) = (a.x + t * dx, a.y + t * dy)
        return ((p.x - cx) * (p.x - cx) + (p.y - cy) * (p.y - cy)).squareRoot()
    }

    /// A monotone staircase-and-slope curve like an empirical ROC curve of `n` points.
    static func curve(_ n: Int) -> [(x: Double, y: Double)] {
        var state: UInt64 = 7
        var x = 70.0
        var y = 420.0
        var points: [(x: Double, y: Double)] = [(x, y)]
        for _ in 1..<n {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let step = Double(state >> 40) / Double(1 << 24)
            if step < 0.5 { x += 380.0 / Double(n) * 2 * step } else { y -= 380.0 / Double(n) * 2 * (step - 0.5) }
            points.append((x, y))
        }
        return points
    }

    /// Fine steps (4,000 points: under 0.1 px each, mostly left out) and coarse ones (300 points:
    /// up to 1.3 px, corners that stay).
    @Test(arguments: [4_000, 300]) func everyPointLeftOutIsWithinTheToleranceOfTheLineDrawn(n: Int) {
        let points = Self.curve(n)
        let kept = ROCPlot.simplified(points, tolerance: 0.1)
        #expect(kept.count < points.count / (n > 1_000 ? 4 : 1), "\(kept.count) of \(points.count)")
        #expect(kept.count > 2)
        #expect(kept.first?.x == points.first?.x && kept.first?.y == points.first?.y)
        #expect(kept.last?.x == points.last?.x && kept.last?.y == points.last?.y)
        // Each point left out lies within the tolerance of the segment drawn in its place (the one
        // between the kept points before and after it).
        let indices = ROCPlot.keptIndices(points, tolerance: 0.1)
        #expect(indices.first == 0 && indices.last == points.count - 1 && indices == indices.sorted())
        for (a, b) in zip(indices, indices.dropFirst()) {
            for i in (a + 1)..<b {
                #expect(Self.distance(points[i], points[a], points[b]) <= 0.1 + 1e-9, "point \(i) between \(a) and \(b)")
            }
        }
    }

    @Test func aCurveThatTurnsBackKeepsItsTurn() {
        // The middle point is 10 px beyond the end, on the chord's line: far from the segment.
        let back: [(x: Double, y: Double)] = [(0, 0), (20, 0), (10, 0)]
        #expect(ROCPlot.simplified(back, tolerance: 0.1).map(\.x) == [0, 20, 10])
        // A real ROC step (0.38 px, the thinning's 0.001) is kept; a 0.05 px wobble is not.
        let step: [(x: Double, y: Double)] = [(0, 0), (10, 0), (10, 0.38), (20, 0.38)]
        #expect(ROCPlot.simplified(step, tolerance: 0.1).count == 4)
        let wobble: [(x: Double, y: Double)] = [(0, 0), (10, 0.05), (20, 0)]
        #expect(ROCPlot.simplified(wobble, tolerance: 0.1).map(\.x) == [0, 20])
    }

    @Test func collinearPointsBecomeOneSegmentAndCornersStay() {
        let line = (0...100).map { (x: Double($0), y: 2 * Double($0)) }
        #expect(ROCPlot.simplified(line, tolerance: 0.1).map(\.x) == [0, 100])
        let corner: [(x: Double, y: Double)] = [(0, 0), (0, 50), (0, 100), (50, 100), (100, 100)]
        #expect(ROCPlot.simplified(corner, tolerance: 0.1).map(\.x) == [0, 0, 100])
        #expect(ROCPlot.simplified(corner, tolerance: 0.1).map(\.y) == [0, 100, 100])
        let two: [(x: Double, y: Double)] = [(0, 0), (1, 1)]
        #expect(ROCPlot.simplified(two, tolerance: 0.1).count == 2)
    }

    @Test func theFigureDrawsALargeCurveThroughFewerPointsFromCornerToCorner() {
        let n = 50_000
        let sensitivities = (0..<n).map { 1 - Double($0) / Double(n - 1) }
        let specificities = (0..<n).map { pow(Double($0) / Double(n - 1), 0.5) }
        let points = ROCPlot.points(sensitivities: sensitivities, specificities: specificities)
        let svg = ROCPlot(title: "ROC", curves: [.init(label: "x", auc: 0.8, points: points, cutoffs: [])]).svg()
        let path = svg.split(separator: "\n").first { $0.hasPrefix("<path d=\"M") }.map(String.init) ?? ""
        let drawn = path.split(separator: " ").filter { $0.first == "M" || $0.first == "L" || $0.hasPrefix("d=\"M") }
        #expect(drawn.count > 10 && drawn.count < points.count / 2, "\(drawn.count) of \(points.count)")
        #expect(path.hasPrefix("<path d=\"M70.0,420.0 L"))
        #expect(path.contains(" L450.0,40.0\""))
    }
}

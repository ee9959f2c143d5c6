/// Draws ROC curves as a self-contained SVG: sensitivity against 1 − specificity, the chance
/// diagonal, one curve per predictor in the Okabe–Ito palette, each chosen cut-off marked with a
/// dot (pROC's `plot.roc(print.thres = TRUE)`), and the AUC and cut-off rule in the legend.
public struct ROCPlot: Sendable {
    public struct Curve: Sendable {
        public var label: String
        public var auc: Double
        /// (1 − specificity, sensitivity) along the curve, from (0, 0) to (1, 1).
        public var points: [(fpr: Double, tpr: Double)]
        /// The chosen cut-offs: where they lie and how they read ("≥ 14.8").
        public var cutoffs: [(fpr: Double, tpr: Double, label: String)]

        public init(label: String, auc: Double, points: [(fpr: Double, tpr: Double)], cutoffs: [(fpr: Double, tpr: Double, label: String)]) {
            self.label = label
            self.auc = auc
            self.points = points
            self.cutoffs = cutoffs
        }
    }

    public var title: String
    public var curves: [Curve]

    public init(title: String, curves: [Curve]) {
        self.title = title
        self.curves = curves
    }

    /// The points of a curve given by its sensitivities and specificities (in threshold order),
    /// thinned to steps of at least `resolution` so that a million patients do not make a
    /// million-point path (the drawing moves by less than a pixel).
    public static func points(sensitivities: [Double], specificities: [Double], resolution: Double = 0.001) -> [(fpr: Double, tpr: Double)] {
        var all = zip(specificities, sensitivities).map { (fpr: 1 - $0.0, tpr: $0.1) }
        all.sort { ($0.fpr, $0.tpr) < ($1.fpr, $1.tpr) }
        var kept: [(fpr: Double, tpr: Double)] = [(0, 0)]
        for p in all {
            guard let last = kept.last else { continue }
            if abs(p.fpr - last.fpr) >= resolution || abs(p.tpr - last.tpr) >= resolution { kept.append(p) }
        }
        if let last = kept.last, last.fpr != 1 || last.tpr != 1 { kept.append((1, 1)) }
        return kept
    }

    /// How far (CSS pixels) a drawn curve may pass from a point it leaves out: the SVG's own
    /// precision (coordinates to 0.1 px, rounded after the simplification). A 2-pixel line drawn
    /// through the points left is the same picture; at a million patients the curves have an
    /// eighth of the points (1,578 → 195 for the benchmark's four predictors), which librsvg and
    /// cairo draw in 5 ms less.
    static let pathTolerance = 0.1

    /// The polyline through `points` with the points left out that lie within `tolerance` of the
    /// segment drawn in their place (Douglas–Peucker, distances to the segment rather than its
    /// line, so that a curve that turns back keeps its turns; the first and last points are
    /// always kept).
    static func simplified(_ points: [(x: Double, y: Double)], tolerance: Double) -> [(x: Double, y: Double)] {
        keptIndices(points, tolerance: tolerance).map { points[$0] }
    }

    /// The indices of the points ``simplified(_:tolerance:)`` keeps, ascending.
    static func keptIndices(_ points: [(x: Double, y: Double)], tolerance: Double) -> [Int] {
        guard points.count > 2 else { return Array(points.indices) }
        var keep = [Bool](repeating: false, count: points.count)
        keep[0] = true
        keep[points.count - 1] = true
        var spans = [(0, points.count - 1)]
        while let (a, b) = spans.popLast() {
            guard b - a > 1 else { continue }
            let (ax, ay) = points[a]
            let dx = points[b].x - ax
            let dy = points[b].y - ay
            let lengthSquared = dx * dx + dy * dy
            var farthest = a
            var distance = -1.0
            for i in (a + 1)..<b {
                let px = points[i].x - ax
                let py = points[i].y - ay
                // The nearest point of the segment: the projection, clamped to its ends.
                let t = lengthSquared > 0 ? min(1, max(0, (px * dx + py * dy) / lengthSquared)) : 0
                let ex = px - t * dx
                let ey = py - t * dy
                let d = (ex * ex + ey * ey).squareRoot()
                if d > distance {
                    distance = d
                    farthest = i
                }
            }
            if distance > tolerance {
                keep[farthest] = true
                spans.append((a, farthest))
                spans.append((farthest, b))
            }
        }
        return points.indices.filter { keep[$0] }
    }

    public func svg() -> String {
        let side = 380.0
        let left = 70.0
        let top = 40.0
        let legendLeft = left + side + 24
        let width = legendLeft + 330
        let height = top + side + 56
        func x(_ fpr: Double) -> Double { left + side * fpr }
        func y(_ tpr: Double) -> Double { top + side * (1 - tpr) }
        func f(_ v: Double) -> String { Format.fixed(v, digits: 1) }
        var out = FigureFont.svgOpening(width: width, height: height, title: title)
        out += "<text x=\"\(f(left))\" y=\"22\" font-size=\"14\" font-weight=\"bold\">\(XML.escape(title))</text>\n"
        for v in stride(from: 0.0, through: 1.0001, by: 0.2) {
            out += "<line x1=\"\(f(x(v)))\" y1=\"\(f(top))\" x2=\"\(f(x(v)))\" y2=\"\(f(top + side))\" stroke=\"#eeeeee\"/>\n"
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + side))\" y2=\"\(f(y(v)))\" stroke=\"#eeeeee\"/>\n"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(Format.fixed(v, digits: 1))</text>\n"
            out += "<text x=\"\(f(x(v)))\" y=\"\(f(top + side + 18))\" text-anchor=\"middle\">\(Format.fixed(v, digits: 1))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(side))\" height=\"\(f(side))\" fill=\"none\" stroke=\"black\"/>\n"
        out +=
            "<line x1=\"\(f(x(0)))\" y1=\"\(f(y(0)))\" x2=\"\(f(x(1)))\" y2=\"\(f(y(1)))\" stroke=\"#999999\" stroke-dasharray=\"4 3\"/>\n"
        out += "<text x=\"\(f(left + side / 2))\" y=\"\(f(top + side + 40))\" text-anchor=\"middle\">1 − Specificity</text>\n"
        out +=
            "<text transform=\"translate(\(f(left - 44)) \(f(top + side / 2))) rotate(-90)\" text-anchor=\"middle\">Sensitivity</text>\n"
        for (k, curve) in curves.enumerated() {
            let color = StepPlot.palette[k % StepPlot.palette.count]
            let drawn = Self.simplified(curve.points.map { (x($0.fpr), y($0.tpr)) }, tolerance: Self.pathTolerance)
            let path = drawn.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(f(p.x)),\(f(p.y))" }.joined(separator: " ")
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            for c in curve.cutoffs {
                out += "<circle cx=\"\(f(x(c.fpr)))\" cy=\"\(f(y(c.tpr)))\" r=\"4\" fill=\"\(color)\" stroke=\"white\"/>\n"
            }
            let ly = top + 12 + Double(k) * 36
            out +=
                "<line x1=\"\(f(legendLeft))\" y1=\"\(f(ly - 4))\" x2=\"\(f(legendLeft + 24))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2.5\"/>\n"
            out += "<text x=\"\(f(legendLeft + 30))\" y=\"\(f(ly))\">\(XML.escape(StepPlot.truncate(curve.label, to: 42)))</text>\n"
            out +=
                "<text x=\"\(f(legendLeft + 30))\" y=\"\(f(ly + 15))\" fill=\"#444444\">AUC \(Format.fixed(curve.auc, digits: 2))\(curve.cutoffs.isEmpty ? "" : ", cut-off " + XML.escape(curve.cutoffs.map(\.label).joined(separator: "; ")))</text>\n"
        }
        out += "</svg>\n"
        return out
    }
}

import Foundation

/// Draws a forest plot as a self-contained SVG: hazard (or odds) ratios with their confidence
/// intervals on a log axis, one row per term (a factor's name above its levels), and one panel per
/// model side by side (univariable and multivariable), sharing the axis so that they compare.
public struct ForestPlot: Sendable {
    /// A ratio with its interval and the text printed beside it.
    public struct Estimate: Sendable, Hashable {
        public var ratio: Double
        public var lower: Double
        public var upper: Double
        public var text: String

        public init(ratio: Double, lower: Double, upper: Double, text: String) {
            self.ratio = ratio
            self.lower = lower
            self.upper = upper
            self.text = text
        }
    }

    public struct Row: Sendable, Hashable {
        public var label: String
        /// A level under its factor's name.
        public var indented: Bool
        /// One entry per panel; `nil` leaves the panel empty on this row.
        public var estimates: [Estimate?]

        public init(label: String, indented: Bool = false, estimates: [Estimate?]) {
            self.label = label
            self.indented = indented
            self.estimates = estimates
        }
    }

    public var title: String
    public var panels: [String]
    public var rows: [Row]
    /// The axis label ("Hazard ratio").
    public var axisLabel: String
    /// The heading of the printed estimates ("HR (95% CI)").
    public var estimateHeader: String

    public init(title: String, panels: [String], rows: [Row], axisLabel: String = "Hazard ratio", estimateHeader: String = "HR (95% CI)") {
        self.estimateHeader = estimateHeader
        self.title = title
        self.panels = panels
        self.rows = rows
        self.axisLabel = axisLabel
    }

    /// Log-axis ticks (1-2-5 steps) covering `low`…`high`.
    static func ticks(low: Double, high: Double) -> [Double] {
        var ticks: [Double] = []
        var decade = Double.pow(10, (log10(low)).rounded(.down))
        while decade <= high * 10 {
            for m in [1.0, 2, 5] {
                let t = m * decade
                if t >= low / 1.0001 && t <= high * 1.0001 { ticks.append(t) }
            }
            decade *= 10
        }
        return ticks
    }

    public func svg() -> String {
        let labelWidth = 270.0
        let panelWidth = 250.0
        let textWidth = 120.0
        let rowHeight = 22.0
        let top = 64.0
        let width = labelWidth + Double(panels.count) * (panelWidth + textWidth) + 16
        let plotBottom = top + Double(rows.count) * rowHeight + 6
        let height = plotBottom + 48
        func f(_ v: Double) -> String { Format.fixed(v, digits: 1) }
        let finite = rows.flatMap { $0.estimates.compactMap { $0 } }.filter {
            $0.lower.isFinite && $0.upper.isFinite && $0.lower > 0 && $0.upper > 0
        }
        // The axis: the intervals and 1, clamped to 0.01–100 (a wider interval is drawn to the edge, with an arrow).
        var low = min(finite.map(\.lower).min() ?? 0.5, 1) / 1.1
        var high = max(finite.map(\.upper).max() ?? 2, 1) * 1.1
        low = max(low, 0.01)
        high = min(high, 100)
        let lo = log10(low)
        let span = log10(high) - lo
        func x(_ panel: Int, _ v: Double) -> Double {
            let clamped = min(max(v, low), high)
            return labelWidth + Double(panel) * (panelWidth + textWidth) + 10 + (panelWidth - 20) * (log10(clamped) - lo) / span
        }
        var out = FigureFont.svgOpening(width: width, height: height, title: title)
        out += "<text x=\"8\" y=\"22\" font-size=\"14\" font-weight=\"bold\">\(XML.escape(title))</text>\n"
        let ticks = Self.ticks(low: low, high: high)
        // Alternate rows shaded first, under the grid and the intervals.
        for r in rows.indices where r % 2 == 1 {
            out += "<rect x=\"0\" y=\"\(f(top + Double(r) * rowHeight))\" width=\"\(f(width))\" height=\"\(f(rowHeight))\" fill=\"#f6f6f6\"/>\n"
        }
        for (k, panel) in panels.enumerated() {
            let panelLeft = labelWidth + Double(k) * (panelWidth + textWidth)
            out +=
                "<text x=\"\(f(panelLeft + panelWidth / 2))\" y=\"\(f(top - 18))\" text-anchor=\"middle\" font-weight=\"bold\">\(XML.escape(panel))</text>\n"
            out += "<text x=\"\(f(panelLeft + panelWidth + 8))\" y=\"\(f(top - 18))\" font-weight=\"bold\">\(XML.escape(estimateHeader))</text>\n"
            for t in ticks {
                out +=
                    "<line x1=\"\(f(x(k, t)))\" y1=\"\(f(top - 6))\" x2=\"\(f(x(k, t)))\" y2=\"\(f(plotBottom))\" stroke=\"\(t == 1 ? "#666666" : "#eeeeee")\"\(t == 1 ? " stroke-dasharray=\"4 3\"" : "")/>\n"
                out += "<text x=\"\(f(x(k, t)))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\">\(Format.short(t))</text>\n"
            }
            out +=
                "<line x1=\"\(f(panelLeft + 10))\" y1=\"\(f(plotBottom))\" x2=\"\(f(panelLeft + panelWidth - 10))\" y2=\"\(f(plotBottom))\" stroke=\"black\"/>\n"
            out +=
                "<text x=\"\(f(panelLeft + panelWidth / 2))\" y=\"\(f(plotBottom + 36))\" text-anchor=\"middle\">\(XML.escape(axisLabel)) (log scale)</text>\n"
        }
        for (r, row) in rows.enumerated() {
            let cy = top + Double(r) * rowHeight + rowHeight / 2
            out +=
                "<text x=\"\(f(row.indented ? 22 : 8))\" y=\"\(f(cy + 4))\"\(row.estimates.allSatisfy { $0 == nil } ? " font-weight=\"bold\"" : "")>\(XML.escape(StepPlot.truncate(row.label, to: 38)))</text>\n"
            for (k, estimate) in row.estimates.enumerated() {
                guard let e = estimate else { continue }
                let panelLeft = labelWidth + Double(k) * (panelWidth + textWidth)
                out += "<text x=\"\(f(panelLeft + panelWidth + 8))\" y=\"\(f(cy + 4))\">\(XML.escape(e.text))</text>\n"
                guard e.ratio.isFinite, e.ratio > 0, e.lower > 0, e.upper.isFinite else { continue }
                out +=
                    "<line x1=\"\(f(x(k, e.lower)))\" y1=\"\(f(cy))\" x2=\"\(f(x(k, e.upper)))\" y2=\"\(f(cy))\" stroke=\"#0072B2\" stroke-width=\"1.5\"/>\n"
                if e.lower < low {
                    out +=
                        "<path d=\"M\(f(x(k, low) + 5)),\(f(cy - 4)) L\(f(x(k, low))),\(f(cy)) L\(f(x(k, low) + 5)),\(f(cy + 4))\" fill=\"none\" stroke=\"#0072B2\"/>\n"
                }
                if e.upper > high {
                    out +=
                        "<path d=\"M\(f(x(k, high) - 5)),\(f(cy - 4)) L\(f(x(k, high))),\(f(cy)) L\(f(x(k, high) - 5)),\(f(cy + 4))\" fill=\"none\" stroke=\"#0072B2\"/>\n"
                }
                out += "<rect x=\"\(f(x(k, e.ratio) - 4))\" y=\"\(f(cy - 4))\" width=\"8\" height=\"8\" fill=\"#0072B2\"/>\n"
            }
        }
        out += "</svg>\n"
        return out
    }
}

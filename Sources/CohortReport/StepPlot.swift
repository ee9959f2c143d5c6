/// Draws step curves as a self-contained SVG — survival or cumulative incidence over time — with
/// an optional confidence band, tick marks, the time unit on the axis and the numbers at risk
/// under it. ``SurvivalPlot`` and ``CumulativeIncidencePlot`` describe their curves with it.
public struct StepPlot: Sendable {
    /// One curve: its value from time 0 and after each step.
    public struct Series: Sendable {
        public var label: String
        /// The value at time 0, before the first step.
        public var start: Double
        /// Each step's time and the value from then on; `tick` marks a censoring there.
        public var steps: [(time: Double, value: Double, tick: Bool)]
        /// The confidence band after each step (`nil` keeps the previous limit), from `start`.
        public var band: [(time: Double, lower: Double?, upper: Double?)]
        /// The number at risk at each of the given times.
        public var atRisk: @Sendable ([Double]) -> [Int]
        /// The last follow-up time (the axis covers every curve's).
        public var lastTime: Double

        public init(
            label: String, start: Double, steps: [(time: Double, value: Double, tick: Bool)],
            band: [(time: Double, lower: Double?, upper: Double?)] = [], lastTime: Double, atRisk: @escaping @Sendable ([Double]) -> [Int]
        ) {
            self.label = label
            self.start = start
            self.steps = steps
            self.band = band
            self.lastTime = lastTime
            self.atRisk = atRisk
        }
    }

    public var title: String
    public var timeUnit: String
    public var yLabel: String
    public var series: [Series]
    public var showBand: Bool
    /// When every curve is of the same patients (the causes of one group): one row of numbers at
    /// risk under this label instead of one per curve.
    public var sharedRiskLabel: String?

    static let palette = ["#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#d98c1f", "#2c9aa0", "#7f7f7f", "#a5466e"]

    public init(title: String, timeUnit: String, yLabel: String, series: [Series], showBand: Bool, sharedRiskLabel: String? = nil) {
        self.sharedRiskLabel = sharedRiskLabel
        self.title = title
        self.timeUnit = timeUnit
        self.yLabel = yLabel
        self.series = series
        self.showBand = showBand
    }

    /// A "nice" tick step covering `maximum` in about six steps.
    static func tickStep(_ maximum: Double) -> Double {
        guard maximum > 0 else { return 1 }
        let raw = maximum / 6
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    public func svg() -> String {
        let width = 720.0
        let left = 110.0
        let right = 24.0
        // A legend row under the title, outside the plot, so that it never hides a curve.
        let legendRows = series.count > 1 ? Self.legendLayout(series.map(\.label), width: 720 - 110 - 24).rows : 0
        let top = 40.0 + Double(legendRows) * 18
        let plotHeight = 300.0
        let riskRowHeight = 18.0
        let riskTop = top + plotHeight + 56
        let riskRows: [(label: String, color: String, atRisk: @Sendable ([Double]) -> [Int])] =
            if let sharedRiskLabel, let first = series.first {
                [(sharedRiskLabel, "black", first.atRisk)]
            } else {
                series.enumerated().map { k, curve in (Self.truncate(curve.label), Self.palette[k % Self.palette.count], curve.atRisk) }
            }
        let height = riskTop + 24 + Double(riskRows.count) * riskRowHeight + 10
        let plotWidth = width - left - right
        let maxTime = series.map(\.lastTime).max() ?? 1
        let step = Self.tickStep(maxTime)
        var ticks: [Double] = []
        var t = 0.0
        while t <= maxTime + 1e-9 {
            ticks.append(t)
            t += step
        }
        let xMax = max(ticks.last ?? maxTime, maxTime)
        func x(_ time: Double) -> Double { left + plotWidth * time / (xMax > 0 ? xMax : 1) }
        func y(_ s: Double) -> Double { top + plotHeight * (1 - s) }
        func f(_ v: Double) -> String { Format.fixed(v, digits: 1) }

        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" font-family=\"\(FigureFont.family)\" font-size=\"12\" role=\"img\" aria-label=\"\(XML.escape(title))\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(left))\" y=\"22\" font-size=\"14\" font-weight=\"bold\">\(XML.escape(title))</text>\n"
        // Axes and grid.
        for s in stride(from: 0.0, through: 1.0001, by: 0.2) {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y(s)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(s)))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y(s) + 4))\" text-anchor=\"end\">\(Format.fixed(s, digits: 1))</text>\n"
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>\n"
        out +=
            "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>\n"
        for tick in ticks {
            out +=
                "<line x1=\"\(f(x(tick)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x(tick)))\" y2=\"\(f(top + plotHeight + 5))\" stroke=\"black\"/>\n"
            out += "<text x=\"\(f(x(tick)))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(Format.short(tick))</text>\n"
        }
        out +=
            "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 38))\" text-anchor=\"middle\">Time (\(XML.escape(timeUnit)))</text>\n"
        out +=
            "<text transform=\"translate(\(f(left - 44)) \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(XML.escape(yLabel))</text>\n"

        for (k, curve) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            if showBand {
                var upper: [(Double, Double)] = []
                var lower: [(Double, Double)] = []
                var lastUpper = curve.start
                var lastLower = curve.start
                var lastTime = 0.0
                for row in curve.band {
                    upper.append((x(lastTime), y(lastUpper)))
                    upper.append((x(row.time), y(lastUpper)))
                    lower.append((x(lastTime), y(lastLower)))
                    lower.append((x(row.time), y(lastLower)))
                    lastUpper = row.upper ?? lastUpper
                    lastLower = row.lower ?? lastLower
                    lastTime = row.time
                }
                let points = upper + lower.reversed()
                out +=
                    "<polygon fill=\"\(color)\" fill-opacity=\"0.12\" stroke=\"none\" points=\"\(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\"/>\n"
            }
            var path = "M\(f(x(0))),\(f(y(curve.start)))"
            var s = curve.start
            var ticksPath = ""
            for row in curve.steps {
                path += " H\(f(x(row.time)))"
                if row.value != s { path += " V\(f(y(row.value)))" }
                s = row.value
                if row.tick {
                    ticksPath += "M\(f(x(row.time))),\(f(y(s) - 5)) V\(f(y(s) + 5)) "
                }
            }
            // A rising curve (cumulative incidence) runs on, flat, to its last follow-up.
            if curve.start == 0, curve.lastTime > (curve.steps.last?.time ?? 0) { path += " H\(f(x(curve.lastTime)))" }
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            if !ticksPath.isEmpty { out += "<path d=\"\(ticksPath)\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n" }
        }
        // Legend.
        if series.count > 1 {
            let layout = Self.legendLayout(series.map(\.label), width: plotWidth)
            for (k, curve) in series.enumerated() {
                let color = Self.palette[k % Self.palette.count]
                let (row, offset) = layout.positions[k]
                let lx = left + offset
                let ly = 40.0 + Double(row) * 18
                out +=
                    "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 24))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                out += "<text x=\"\(f(lx + 30))\" y=\"\(f(ly))\">\(XML.escape(curve.label))</text>\n"
            }
        }
        // Numbers at risk.
        out += "<text x=\"\(f(8))\" y=\"\(f(riskTop))\" font-weight=\"bold\">Number at risk</text>\n"
        for (k, risk) in riskRows.enumerated() {
            let ry = riskTop + 20 + Double(k) * riskRowHeight
            out += "<text x=\"8\" y=\"\(f(ry))\" fill=\"\(risk.color)\">\(XML.escape(risk.label))</text>\n"
            let counts = risk.atRisk(ticks)
            for (tick, n) in zip(ticks, counts) {
                out += "<text x=\"\(f(x(tick)))\" y=\"\(f(ry))\" text-anchor=\"middle\">\(n)</text>\n"
            }
        }
        out += "</svg>\n"
        return out
    }

    /// Legend entries laid out left to right, wrapping at `width`: each entry's row and offset
    /// (a 24-point line, the label at about 7 points a character, a gap of 18).
    static func legendLayout(_ labels: [String], width: Double) -> (rows: Int, positions: [(row: Int, offset: Double)]) {
        var positions: [(row: Int, offset: Double)] = []
        var row = 0
        var offset = 0.0
        for label in labels {
            let entry = 30 + 7 * Double(label.count)
            if offset > 0 && offset + entry > width {
                row += 1
                offset = 0
            }
            positions.append((row, offset))
            offset += entry + 18
        }
        return (positions.isEmpty ? 0 : row + 1, positions)
    }

    static func truncate(_ s: String) -> String { s.count > 14 ? String(s.prefix(13)) + "…" : s }
}

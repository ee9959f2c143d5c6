public import CohortReport

/// How a survival figure is drawn (`figure:` on `kaplan_meier` and `logrank`), after survminer's
/// `ggsurvplot` and GraphPad Prism: `figure: true` draws with the defaults, `figure: false` draws
/// nothing, and a mapping sets the keys below.
///
/// ```yaml
/// figure: {p_value: true, median_lines: true, break_every: 12, percent: true, risk_table: [at_risk, events]}
/// ```
public struct SurvivalFigureOptions: Sendable, Hashable {
    /// The rows under the plot: numbers at risk and cumulative numbers of events at each break.
    public enum RiskRow: String, Sendable, Hashable, CaseIterable {
        case at_risk
        case events
    }

    /// The log-rank (or Peto–Peto) p on the plot, as survminer prints it (`pval = TRUE`).
    public var pValue: Bool = true
    /// Lines from 0.5 to each curve's median and down to the axis (`surv.median.line = "hv"`).
    public var medianLines: Bool = false
    /// The distance between x breaks (`break.time.by`); chosen from the follow-up when `nil`.
    public var breakEvery: Double? = nil
    /// The y axis in percent (`surv.scale = "percent"`) rather than as a proportion.
    public var percent: Bool = false
    /// The tables under the plot, in order (`risk.table`, `cumevents`).
    public var riskTable: [RiskRow] = [.at_risk]
    /// The confidence band of each curve (`conf.int`); `nil` leaves it to the analysis (`band:`).
    public var band: Bool? = nil

    public init() {}

    /// The keys of the `figure:` mapping.
    public enum Key: String, ParameterKey {
        case p_value, median_lines, break_every, percent, risk_table, band
    }

    /// Reads `figure:`: `true` (defaults), `false` (`nil`: no figure) or a mapping of ``Key``.
    public static func read(_ value: any ParameterValue) throws -> SurvivalFigureOptions? {
        if value.shape == .scalar { return try value.boolean() ? SurvivalFigureOptions() : nil }
        let m = try value.mapping(Key.self)
        var options = SurvivalFigureOptions()
        options.pValue = try m.boolean(.p_value) ?? true
        options.medianLines = try m.boolean(.median_lines) ?? false
        if let node = m[.break_every] {
            let every = try node.number()
            guard every.isFinite, every > 0 else { throw node.error(.invalidValue, "break_every must be a positive time") }
            options.breakEvery = every
        }
        options.percent = try m.boolean(.percent) ?? false
        if let node = m[.risk_table] {
            if node.shape == .scalar, let on = try? node.boolean() {
                options.riskTable = on ? [.at_risk] : []
            } else {
                let items = node.shape == .scalar ? [node] : try node.items()
                options.riskTable = []
                for item in items {
                    let row = try item.choice(RiskRow.self)
                    if options.riskTable.contains(row) { throw item.error(.duplicate, "'\(row.rawValue)' is listed twice") }
                    options.riskTable.append(row)
                }
            }
        }
        options.band = try m.boolean(.band)
        return options
    }
}

extension ParameterMapping {
    /// The `figure:` options at `key`: `absent` when the key is not given.
    public func survivalFigure(_ key: Key, absent: SurvivalFigureOptions?) throws -> SurvivalFigureOptions? {
        guard let value = self[key] else { return absent }
        return try SurvivalFigureOptions.read(value)
    }
}

extension SurvivalFigureOptions {
    /// The drawing options of the plot: the analysis's own `band` unless `figure: {band: …}` says
    /// otherwise, and `p` on the plot as survminer prints it, named after its `test`.
    public func plotOptions(band analysisBand: Bool, p: Double?, test: String = "Log-rank") -> StepPlot.Options {
        var options = StepPlot.Options()
        options.showBand = band ?? analysisBand
        options.medianLines = medianLines
        options.breakEvery = breakEvery
        options.percent = percent
        options.riskRows = riskTable.map { $0 == .at_risk ? .atRisk : .events }
        if pValue, let p { options.annotation = test + " " + SurvivalPlot.pValueText(p) }
        return options
    }
}

public import CohortPluginAPI
public import CohortReport

extension CumulativeIncidencePlugin {
    /// The report: per group the cumulative incidence of the event of interest at each requested
    /// time with its CI, the competing events counted beside it, Gray's p; and the figure of the
    /// curves with numbers at risk (by group, or every cause without `by`).
    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        let level = Format.short(100 * o.conf_level)
        let event = Format.display(o.event)
        let competingNames = o.causes.filter { $0 != o.event }.map(Format.display)
        var header = ["Group", "n", "\(event) events", "Competing events"]
        for t in p.times { header.append("\(Format.short(t)) \(o.time_unit), % (\(level)% CI)") }
        let eventTest = o.tests?.first { $0.cause == o.event }
        if eventTest != nil { header.append("Gray's p") }
        var rows: [[ReportCell]] = []
        let groups = o.curves.filter { $0.cause == o.event }
        for (k, curve) in groups.enumerated() {
            let competing = o.curves.filter { $0.group == curve.group && $0.cause != o.event }.reduce(0) { $0 + $1.events }
            var row: [ReportCell] = [
                .text(Format.display(curve.group)), .count(curve.n, percent: nil), .count(curve.events, percent: nil),
                .count(competing, percent: nil),
            ]
            for t in p.times {
                guard let point = curve.at_times.first(where: { $0.time == t }), let estimate = point.estimate else {
                    row.append(.text("NA"))
                    continue
                }
                if point.lower == nil && estimate == 0 {
                    row.append(.text("0.0%"))
                } else {
                    row.append(.text(Format.interval(estimate, lower: point.lower, upper: point.upper, digits: 1, percent: true)))
                }
            }
            if let eventTest {
                row.append(.text(k == 0 ? (eventTest.p.map(Format.pValue) ?? "NA") : ""))
            }
            rows.append(row)
        }
        let title = p.title ?? "Cumulative incidence of \(event)" + (p.byLabel.map { " by \($0)" } ?? "")
        var note =
            "Cumulative incidence with \(competingNames.isEmpty ? "no competing event observed" : competingNames.joined(separator: ", ") + " as competing event\(competingNames.count == 1 ? "" : "s")")"
            + " (cmprsk cuminc, Aalen variance); confidence limits F^exp(±z·se/(F·log F)) as EZR prints them; \(o.n_used) patients"
            + (o.excluded > 0 ? ", \(o.excluded) without time or status" : "")
            + (o.by_missing > 0 ? ", \(o.by_missing) without \(p.byLabel ?? "")" : "")
            + "."
        if let eventTest, let statistic = eventTest.statistic {
            note += " Gray's test: χ² = \(Format.fixed(statistic, digits: 2)), df \(eventTest.df)."
        }
        let curves: [CumulativeIncidencePlot.Curve]
        if p.by != nil {
            curves = o.estimates.map { CumulativeIncidencePlot.Curve(label: Format.display($0.label), estimate: $0.estimate, cause: o.eventCause) }
        } else {
            // Without groups: one curve per cause, the event of interest first.
            let estimate = o.estimates.first?.estimate
            let order = [o.event] + o.causes.filter { $0 != o.event }
            curves = order.compactMap { name in
                guard let estimate, let cause = o.causeNumbers[name] else { return nil }
                return CumulativeIncidencePlot.Curve(label: Format.display(name), estimate: estimate, cause: cause)
            }
        }
        var options = StepPlot.Options()
        if let p = eventTest?.p { options.annotation = "Gray's test " + SurvivalPlot.pValueText(p) }
        let figure = CumulativeIncidencePlot(title: title, timeUnit: o.time_unit, curves: curves, sharedRiskSet: p.by == nil, options: options)
        return [
            .table(ReportTable(name: "cif_\(p.by ?? "overall")_\(o.event)", title: title, header: header, rows: rows, note: note)),
            .figure(ReportFigure(name: "cif_\(p.by ?? "overall")_\(o.event)", title: title, svg: figure.svg())),
        ]
    }
}

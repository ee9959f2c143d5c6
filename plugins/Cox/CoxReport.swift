public import CohortPluginAPI
public import CohortReport

extension CoxPlugin {
    /// The Cox table as readers expect it (EZR/gtsummary): one row per term with the univariable
    /// and the multivariable HR (95% CI) and p side by side; a factor is a header row naming the
    /// reference level, then one row per other level. The PH tests follow in a second table,
    /// the factor tests in the note.
    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        let label = { (v: String) in p.labels[v] ?? v }
        let multivariable = o.models.first { $0.kind == .multivariable }
        var order: [String] = []
        for v in p.univariable + p.multivariable where !order.contains(v) { order.append(v) }
        let hasUni = !p.univariable.isEmpty
        let hasMulti = multivariable != nil

        func cells(_ model: Model?, variable: String, term: String?) -> [ReportCell] {
            guard let model else { return [.text(""), .text("")] }
            if model.error != nil { return [.text("not estimable"), .text("")] }
            guard let t = model.terms.first(where: { $0.variable == variable && (term == nil || $0.term == term) }) else {
                return [.text("—"), .text("")]
            }
            guard let hr = t.hr, let lower = t.hr_lower, let upper = t.hr_upper, let pv = t.p else {
                return [.text("not estimable"), .text("")]
            }
            return [
                .text("\(Format.fixed(hr, digits: 2)) (\(Format.fixed(lower, digits: 2))–\(Format.fixed(upper, digits: 2)))"),
                .text(Format.pValue(pv)),
            ]
        }

        var rows: [[ReportCell]] = []
        var forest: [ForestPlot.Row] = []
        func estimate(_ model: Model?, variable: String, term: String?) -> ForestPlot.Estimate? {
            guard let model, model.error == nil,
                let t = model.terms.first(where: { $0.variable == variable && (term == nil || $0.term == term) }),
                let hr = t.hr, let lower = t.hr_lower, let upper = t.hr_upper
            else { return nil }
            return ForestPlot.Estimate(
                ratio: hr, lower: lower, upper: upper,
                text: "\(Format.fixed(hr, digits: 2)) (\(Format.fixed(lower, digits: 2))–\(Format.fixed(upper, digits: 2)))")
        }
        for v in order {
            let uni = o.models.first { $0.kind == .univariable && $0.variables == [v] }
            let inMulti = multivariable.flatMap { $0.variables.contains(v) ? $0 : nil }
            let source = [uni, inMulti].compactMap { $0 }.first { !$0.terms.isEmpty }
            let terms = source?.terms.filter { $0.variable == v } ?? []
            func forestRow(_ name: String, term: String?, indented: Bool) -> ForestPlot.Row {
                var estimates: [ForestPlot.Estimate?] = []
                if hasUni { estimates.append(estimate(uni, variable: v, term: term)) }
                if hasMulti { estimates.append(estimate(inMulti, variable: v, term: term)) }
                return ForestPlot.Row(label: name, indented: indented, estimates: estimates)
            }
            func row(_ name: String, term: String?) -> [ReportCell] {
                var r: [ReportCell] = [.text(name)]
                if hasUni { r += uni.map { cells($0, variable: v, term: term) } ?? [.text(""), .text("")] }
                if hasMulti { r += inMulti.map { cells($0, variable: v, term: term) } ?? [.text(""), .text("")] }
                return r
            }
            if let first = terms.first, first.level != nil {
                let reference = source?.references[v].map { " (ref. \(Format.display($0)))" } ?? ""
                var header: [ReportCell] = [.text(label(v) + reference)]
                header += [ReportCell](repeating: .text(""), count: (hasUni ? 2 : 0) + (hasMulti ? 2 : 0))
                rows.append(header)
                forest.append(
                    ForestPlot.Row(label: label(v) + reference, estimates: Array(repeating: nil, count: (hasUni ? 1 : 0) + (hasMulti ? 1 : 0))))
                for t in terms {
                    rows.append(row("  " + Format.display(t.level ?? t.term), term: t.term))
                    forest.append(forestRow(Format.display(t.level ?? t.term), term: t.term, indented: true))
                }
            } else {
                rows.append(row(label(v), term: nil))
                forest.append(forestRow(label(v), term: nil, indented: false))
            }
        }
        let level = Format.short(100 * p.confLevel)
        var header = ["Variable"]
        if hasUni { header += ["Univariable HR (\(level)% CI)", "p"] }
        if hasMulti { header += ["Multivariable HR (\(level)% CI)", "p"] }
        var note = "Ties: \(o.ties); Wald p-values."
        if !p.strata.isEmpty { note += " Stratified by \(p.strata.map(label).joined(separator: " × "))." }
        if let m = multivariable, let n = m.n, let events = m.events { note += " Multivariable model: n = \(n), \(events) events." }
        let factorNotes = o.models.flatMap { model in
            model.factor_tests.map { t in
                let which = model.kind == .univariable ? "univariable" : "multivariable"
                let method = t.method == "lr" ? "likelihood-ratio" : "Wald"
                guard let chisq = t.chisq, let pv = t.p else { return "\(label(t.variable)) (\(which)): \(method) test not estimable" }
                return "\(label(t.variable)) (\(which)): \(method) χ² = \(Format.fixed(chisq, digits: 2)), df = \(t.df), \(Self.pPhrase(pv))"
            }
        }
        if !factorNotes.isEmpty { note += " Factor tests: " + factorNotes.joined(separator: "; ") + "." }
        if !p.phTest && p.checks {
            note += " Proportional hazards checked by cox.zph (KM transform) in every model; p < \(Format.short(p.phAlpha)) is listed under Checks."
        }
        if let landmark = o.landmark { note += " " + landmark.sentence(unit: context.timeUnit) }
        let stratified = p.strata.isEmpty ? "" : ", stratified by \(p.strata.map(label).joined(separator: " × "))"
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    name: "cox_models", title: p.title ?? "Cox proportional-hazards models\(stratified)", header: header, rows: rows, note: note))
        ]
        // The forest plot of the same rows, univariable and multivariable side by side.
        if forest.contains(where: { $0.estimates.contains { $0 != nil } }) {
            var panels: [String] = []
            if hasUni { panels.append("Univariable") }
            if hasMulti { panels.append("Multivariable") }
            let title = "Hazard ratios (\(level)% CI)\(stratified)"
            let plot = ForestPlot(title: title, panels: panels, rows: forest, estimateHeader: "HR (\(level)% CI)")
            blocks.append(.figure(ReportFigure(name: "forest", title: title, svg: plot.svg())))
        }
        if p.phTest {
            // One row per variable: the univariable model's test and the multivariable model's,
            // then the multivariable global test (a univariable model's global is its term).
            func phCells(_ model: Model?, term: String?) -> [ReportCell] {
                guard let model else { return [.text(""), .text("")] }
                guard let test = model.ph_test else { return [.text("not estimable"), .text("")] }
                if let term {
                    guard let row = test.terms.first(where: { $0.term == term }) else { return [.text(""), .text("")] }
                    return [.text("\(Format.fixed(row.chisq, digits: 2)) (\(row.df))"), .text(Format.pValue(row.p))]
                }
                return [.text("\(Format.fixed(test.global.chisq, digits: 2)) (\(test.global.df))"), .text(Format.pValue(test.global.p))]
            }
            var ph: [[ReportCell]] = []
            for v in order {
                let uni = o.models.first { $0.kind == .univariable && $0.variables == [v] }
                let inMulti = multivariable.flatMap { $0.variables.contains(v) ? $0 : nil }
                var row: [ReportCell] = [.text(label(v))]
                if hasUni { row += uni.map { phCells($0, term: v) } ?? [.text(""), .text("")] }
                if hasMulti { row += inMulti.map { phCells($0, term: v) } ?? [.text(""), .text("")] }
                ph.append(row)
            }
            if let m = multivariable {
                var row: [ReportCell] = [.text("Global")]
                if hasUni { row += [.text(""), .text("")] }
                row += phCells(m, term: nil)
                ph.append(row)
            }
            var phHeader = ["Variable"]
            if hasUni { phHeader += ["Univariable χ² (df)", "p"] }
            if hasMulti { phHeader += ["Multivariable χ² (df)", "p"] }
            let phNote =
                "Score test of survival ≥ 3 per variable (a factor: all its levels, df = levels − 1); "
                + "p < \(Format.short(p.phAlpha)) is listed under Checks."
            blocks.append(
                .table(
                    ReportTable(
                        name: "cox_ph_tests", title: "Proportional-hazards tests (cox.zph, KM transform)\(stratified)", header: phHeader, rows: ph,
                        note: phNote)))
        }
        return blocks
    }

    /// "p = 0.003" or "p < 0.001".
    static func pPhrase(_ p: Double) -> String {
        let text = Format.pValue(p)
        return text.hasPrefix("<") ? "p \(text)" : "p = \(text)"
    }
}

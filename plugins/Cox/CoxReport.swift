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
        for v in order {
            let uni = o.models.first { $0.kind == .univariable && $0.variables == [v] }
            let inMulti = multivariable.flatMap { $0.variables.contains(v) ? $0 : nil }
            let source = [uni, inMulti].compactMap { $0 }.first { !$0.terms.isEmpty }
            let terms = source?.terms.filter { $0.variable == v } ?? []
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
                for t in terms { rows.append(row("  " + Format.display(t.level ?? t.term), term: t.term)) }
            } else {
                rows.append(row(label(v), term: nil))
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
                return "\(label(t.variable)) (\(which)): \(method) χ² = \(Format.fixed(chisq, digits: 2)), df = \(t.df), p = \(Format.pValue(pv))"
            }
        }
        if !factorNotes.isEmpty { note += " Factor tests: " + factorNotes.joined(separator: "; ") + "." }
        var blocks: [ReportBlock] = [
            .table(ReportTable(name: "cox_models", title: p.title ?? "Cox proportional-hazards models", header: header, rows: rows, note: note))
        ]
        if p.phTest {
            var ph: [[ReportCell]] = []
            for model in o.models {
                let name = model.kind == .univariable ? "Univariable: \(model.variables.map(label).joined(separator: ", "))" : "Multivariable"
                guard let test = model.ph_test else {
                    ph.append([.text(name), .text(""), .text(""), .text(""), .text("not estimable")])
                    continue
                }
                for t in test.terms {
                    ph.append([
                        .text(name), .text(label(t.term)), .text(Format.fixed(t.chisq, digits: 2)), .text("\(t.df)"), .text(Format.pValue(t.p)),
                    ])
                }
                if test.terms.count > 1 {
                    ph.append([
                        .text(name), .text("Global"), .text(Format.fixed(test.global.chisq, digits: 2)), .text("\(test.global.df)"),
                        .text(Format.pValue(test.global.p)),
                    ])
                }
            }
            blocks.append(
                .table(
                    ReportTable(
                        name: "cox_ph_tests", title: "Proportional-hazards tests (cox.zph, KM transform)",
                        header: ["Model", "Term", "χ²", "df", "p"], rows: ph,
                        note: "Score test of survival ≥ 3; p < \(Format.short(p.phAlpha)) is listed under Checks.")))
        }
        return blocks
    }
}

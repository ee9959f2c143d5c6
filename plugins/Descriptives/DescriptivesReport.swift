import CohortPluginAPI
import CohortReport
import CohortStatistics

/// The report of Table 1 between groups: one column per group, "Overall", p (the test named in a
/// footnote by a superscript letter, as tableone and gtsummary print it) and the SMD when asked.
extension DescriptivesPlugin {
    static func comparisonReport(_ output: Output, levels: [String], parameters p: Parameters) -> [ReportBlock] {
        var rows: [[ReportCell]] = []
        var footnotes: [String] = []
        let missingDisplay = p.missing ?? .no
        let letters = ["ᵃ", "ᵇ", "ᶜ", "ᵈ", "ᵉ", "ᶠ", "ᵍ", "ʰ"]
        func mark(_ title: String) -> String {
            if let k = footnotes.firstIndex(of: title) { return k < letters.count ? letters[k] : "" }
            footnotes.append(title)
            let k = footnotes.count - 1
            return k < letters.count ? letters[k] : ""
        }
        for v in output.variables {
            let label = p.labels[v.name] ?? v.name
            guard case .groups(let comparison) = v.comparison else { continue }
            var pCell = ""
            switch comparison.test {
            case nil: break
            case .estimated(let t): pCell = Format.pValue(t.result.p) + mark(t.title)
            case .notEstimable(let name, _): pCell = "NA" + mark(GroupTest.title(of: name))
            }
            let smdCell: [ReportCell] =
                p.smd ? [.text(comparison.smd.flatMap { $0.value }.map { Format.fixed($0, digits: 3) } ?? "NA")] : []
            let tail: [ReportCell] = (p.tests == .none ? [] : [.text(pCell)]) + smdCell
            let blankTail: [ReportCell] = tail.map { _ in .text("") }
            if let numeric = v.numeric {
                let statistic = statisticName(v.name, p)
                let cells = comparison.groups.map { ReportCell.text(numericText($0.summary, v.name, p, overall: numeric)) }
                rows.append(
                    [.text(label), .text(statistic)] + cells + [.text(numericText(v.summary, v.name, p, overall: numeric))] + tail)
            }
            let categorical = v.numeric == nil
            if categorical { rows.append([.text(label), .text("n (%)")] + levels.map { _ in .text("") } + [.text("")] + tail) }
            for (k, level) in v.levels.enumerated() where level.n > 0 || !categorical {
                let cells = comparison.groups.map { g -> ReportCell in
                    let l = levelsOf(g.summary)
                    return k < l.count ? .count(l[k].n, percent: l[k].percent) : .text("")
                }
                rows.append([.text(""), .text(Format.display(level.level))] + cells + [.count(level.n, percent: level.percent)] + blankTail)
            }
            let showMissing = missingDisplay == .always || (missingDisplay == .ifany && v.missing > 0)
            if showMissing {
                rows.append(
                    [.text(""), .text("Missing")] + comparison.groups.map { .count($0.missing, percent: nil) }
                        + [.count(v.missing, percent: nil)] + blankTail)
            }
        }
        let first = output.variables.first
        let n = first.map { $0.n + $0.missing } ?? 0
        var groupSizes = levels.map { _ in 0 }
        if let first, case .groups(let c) = first.comparison { groupSizes = c.groups.map { $0.n + $0.missing } }
        let byLabel = p.by.map { p.labels[$0] ?? $0 } ?? ""
        var header = ["Variable", ""]
        for (level, size) in zip(levels, groupSizes) { header.append("\(Format.display(level)) (n = \(size))") }
        header.append("Overall (n = \(n))")
        if p.tests != .none { header.append("p") }
        if p.smd { header.append("SMD") }
        var notes = footnotes.enumerated().map { k, title in (k < letters.count ? letters[k] : "") + " " + title }
        if let missing = output.byMissing, missing > 0 {
            notes.append("\(missing) patient\(missing == 1 ? "" : "s") with \(byLabel) missing left out")
        }
        if p.smd { notes.append("SMD: standardized mean difference (tableone), with more than two groups the mean over pairs") }
        return [
            .table(
                ReportTable(
                    name: "table1_characteristics", title: p.title ?? "Patient characteristics by \(byLabel) (n = \(n))",
                    header: header, rows: rows, note: notes.isEmpty ? nil : notes.joined(separator: "; "), continuingColumns: [0]))
        ]
    }

    static func levelsOf(_ summary: Variable.Summary) -> [Level] {
        switch summary {
        case .continuous: return []
        case .categorical(let l), .binned(_, let l): return l
        }
    }

    /// What a continuous row shows: EZR prints mean (SD) or, for `nonnormal`, median [IQR];
    /// gtsummary median (Q1, Q3); without tests v1's median (range).
    static func statisticName(_ name: String, _ p: Parameters) -> String {
        switch p.tests {
        case .ezr: return p.nonnormal.contains(name) ? "Median [IQR]" : "Mean (SD)"
        case .gtsummary: return "Median (Q1, Q3)"
        case .none: return "Median (range)"
        }
    }

    static func numericText(_ summary: Variable.Summary, _ name: String, _ p: Parameters, overall: Variable.Numeric) -> String {
        let s: Variable.Numeric
        switch summary {
        case .continuous(let x), .binned(let x, _): s = x
        case .categorical: return ""
        }
        let d = digits(for: overall, override: p.digits[name])
        func f(_ x: Double?) -> String { x.map { Format.fixed($0, digits: d) } ?? "NA" }
        switch p.tests {
        case .ezr where !p.nonnormal.contains(name):
            let md = p.digits[name] ?? 1
            return "\(s.mean.map { Format.fixed($0, digits: md) } ?? "NA") (\(s.sd.map { Format.fixed($0, digits: md) } ?? "NA"))"
        case .ezr: return "\(f(s.median)) [\(f(s.q1)), \(f(s.q3))]"
        case .gtsummary: return "\(f(s.median)) (\(f(s.q1)), \(f(s.q3)))"
        case .none:
            guard let m = s.median else { return "NA" }
            return "\(f(m)) (\(f(s.min))–\(f(s.max)))"
        }
    }
}

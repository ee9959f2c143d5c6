public import CohortPluginAPI
public import CohortReport
import CohortStatistics

/// The log-rank analysis in the report: the univariate table (with a p for trend column when
/// asked) and, per grouping of 3+ levels with `pairwise`, the lower-triangular matrix of adjusted p.
extension LogRankPlugin {
    /// The report blocks: the univariate table (Table 3) and one pairwise matrix per grouping
    /// of 3+ levels with `pairwise`.
    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        let level = Format.short(100 * p.confidence.level)
        let testName = o.rho == 0 ? "log-rank" : "Peto–Peto"
        var header = ["Variable", "Group", "n"]
        for t in o.times { header.append("\(Format.short(t))-\(context.timeUnit) survival (\(level)% CI)") }
        header.append(o.rho == 0 ? "Log-rank p" : "Peto–Peto p")
        if p.trend { header.append("p for trend") }
        let trailing = p.trend ? 2 : 1
        var rows: [[ReportCell]] = []
        for (test, grouping) in zip(o.tests, p.groups) {
            if let error = test.error {
                rows.append(
                    [.text(grouping.label), .text("not tested: \(error)"), .text("")] + o.times.map { _ in .text("") }
                        + (0..<trailing).map { _ in .text("") })
                continue
            }
            for (k, g) in test.groups.enumerated() {
                var row: [ReportCell] = [.text(k == 0 ? grouping.label : ""), .text(Format.display(g.level)), .count(g.n, percent: nil)]
                for t in o.times {
                    if let a = g.at_times.first(where: { $0.time == t }) {
                        row.append(.text(Format.interval(a.survival, lower: a.lower, upper: a.upper, digits: 1, percent: true)))
                    } else {
                        row.append(.text("NA"))
                    }
                }
                row.append(.text(k == 0 ? test.p.map(Format.pValue) ?? "NA" : ""))
                if p.trend { row.append(.text(k == 0 ? test.trend.map { Format.pValue($0.p) } ?? "" : "")) }
                rows.append(row)
            }
        }
        var note = "Kaplan–Meier estimates with \(p.confidence.type.rawValue) confidence intervals; p from the \(testName) test"
        if !p.strata.isEmpty { note += ", stratified by \(p.strataLabels.joined(separator: " × "))" }
        note += "."
        if p.trend {
            note += " p for trend: \(testName) test for trend with scores 1..k in the order of the levels (groupings with 3 or more levels)."
        }
        if let landmark = o.landmark { note += " " + landmark.sentence(unit: context.timeUnit) }
        let stratified = p.strata.isEmpty ? "" : ", stratified by \(p.strataLabels.joined(separator: " × "))"
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    name: "table3_univariate", title: p.title ?? "Univariate analysis of overall survival\(stratified)",
                    header: header, rows: rows, note: note, continuingColumns: [0]))
        ]
        for (test, grouping) in zip(o.tests, p.groups) {
            if let table = pairwiseTable(test, grouping, p, testName: testName) { blocks.append(.table(table)) }
        }
        // `figure:` — one Kaplan–Meier figure per grouping, its test's p on the plot.
        if let figure = p.figure {
            for (test, grouping) in zip(o.tests, p.groups) where test.curves.count >= 2 {
                let title = "Survival by \(grouping.label)\(stratified)"
                let plot = SurvivalPlot(
                    title: title, timeUnit: context.timeUnit, curves: test.curves,
                    options: figure.plotOptions(band: false, p: test.p, test: p.rho == 0 ? "Log-rank" : "Peto–Peto"))
                blocks.append(.figure(ReportFigure(name: "km_logrank_\(grouping.variable)", title: title, svg: plot.svg())))
            }
        }
        return blocks
    }

    /// The pairwise p-values as a lower-triangular matrix (rows levels 2..k, columns levels
    /// 1..k−1), as R's `pairwise.survdiff` and EZR print them; for groupings with 3+ levels.
    static func pairwiseTable(_ test: Test, _ grouping: Grouping, _ p: Parameters, testName: String) -> ReportTable? {
        guard let pairwise = test.pairwise, test.groups.count >= 3 else { return nil }
        let levels = test.groups.map(\.level)
        var rows: [[ReportCell]] = []
        for i in 1..<levels.count {
            var row: [ReportCell] = [.text(Format.display(levels[i]))]
            for j in 0..<(levels.count - 1) {
                guard j < i else {
                    row.append(.text(""))
                    continue
                }
                // Pairs are in combn order over the levels with subjects (the test's groups).
                let index = LogRankPairwise.pairIndex(j, i, present: levels.count)
                let pair = pairwise.pairs.indices.contains(index) ? pairwise.pairs[index] : nil
                let matches = pair?.a == levels[j] && pair?.b == levels[i]
                row.append(.text(matches ? pair?.p_adjusted.map(Format.pValue) ?? "NA" : "NA"))
            }
            rows.append(row)
        }
        let method: String
        switch pairwise.adjust {
        case "bonferroni": method = "Bonferroni's method"
        case "holm": method = "Holm's method"
        default: method = "the Benjamini–Hochberg method"
        }
        var note = "Adjusted p-values (\(method), over the \(pairwise.pairs.count) pairs) of \(testName) tests, each refitted on its two groups"
        if !p.strata.isEmpty { note += ", stratified by \(p.strataLabels.joined(separator: " × "))" }
        note += "."
        if pairwise.rounded { note += " Each raw p was rounded to 3 significant digits before adjusting, as EZR does." }
        return ReportTable(
            name: "logrank_pairwise_\(grouping.variable)",
            title: "Pairwise comparisons of \(grouping.label)\(p.strata.isEmpty ? "" : ", stratified by \(p.strataLabels.joined(separator: " × "))")",
            header: [grouping.label] + levels.dropLast().map(Format.display), rows: rows, note: note)
    }
}

import CohortData
import CohortPluginAPI
import CohortReport
import CohortStatistics

/// `compare:` of a `roc_cutoff` analysis: the paired DeLong comparisons, the method checks of the
/// output and the comparisons table of the report.
extension ROCCutoffPlugin {
    /// The paired DeLong comparison of two predictors on the patients with both present
    /// (refs_v2_lib.R `roc_compare`): each curve's direction chosen on those patients (or as set).
    static func comparison(_ pair: ComparedPair, _ p: Parameters, input: AnalysisInput, rows: RowSelection, outcomeClass: [Int8]) throws
        -> Comparison
    {
        guard let va = try input.column(pair.a).numbers, let vb = try input.column(pair.b).numbers else {
            throw AnalysisError(.typeMismatch, "'\(pair.a)' or '\(pair.b)' is not numeric")
        }
        var xa: [Double] = []
        var xb: [Double] = []
        var y: [Bool] = []
        for (k, row) in rows.enumerated() where k < outcomeClass.count && row < va.count && row < vb.count {
            let a = va[row]
            let b = vb[row]
            if a.isNaN || b.isNaN || outcomeClass[k] < 0 { continue }
            xa.append(a)
            xb.append(b)
            y.append(outcomeClass[k] == 1)
        }
        let positives = y.filter { $0 }.count
        var result = Comparison(
            a: pair.a, b: pair.b, auc_a: nil, auc_b: nil, difference: nil, z: nil, p: nil, ci: nil, method: "delong_paired",
            n_positive: positives, n_negative: y.count - positives, direction_a: nil, direction_b: nil, reason: nil)
        do {
            let choice = p.direction.choice
            let ra = try ROCCurve(predictor: xa, outcome: y, direction: choice)
            let rb = try ROCCurve(predictor: xb, outcome: y, direction: choice)
            result.direction_a = ra.direction.rawValue
            result.direction_b = rb.direction.rawValue
            // refs_v2_lib.R: auc_a, auc_b and difference from the curves' AUCs; z, p and CI from roc.test.
            result.auc_a = ra.auc
            result.auc_b = rb.auc
            let test = try PairedDeLong(xa, xb, outcome: y, directions: (ra.direction, rb.direction), level: p.confLevel)
            result.difference = ra.auc - rb.auc
            result.z = test.z
            result.p = test.p
            result.ci = DifferenceInterval(lower: test.lower, upper: test.upper)
        } catch let error as StatisticsError {
            result.reason = error.message
        }
        return result
    }

    /// The method checks of an output: patients censored before the horizon, null AUCs and
    /// comparisons, comparisons of curves with opposite directions.
    static func checks(_ o: Output, labels: [String: String], unit: String) -> [MethodWarning] {
        var warnings: [MethodWarning] = []
        let horizon = Format.short(o.outcome.event_within)
        if o.excluded_censored > 0, o.n_subjects > 0 {
            let percent = 100 * Double(o.excluded_censored) / Double(o.n_subjects)
            warnings.append(
                MethodWarning(
                    .rocExcludedCensored,
                    "\(o.excluded_censored) of \(o.n_subjects) patients (\(Format.fixed(percent, digits: 1))%) were censored at or before \(horizon) \(unit) and are left out of the ROC analysis, which can bias the AUC",
                    details: [("excluded", .number(Double(o.excluded_censored))), ("percent", .number(percent))]))
        }
        for pr in o.predictors where pr.auc == nil {
            let label = labels[pr.variable] ?? pr.variable
            warnings.append(
                MethodWarning(
                    .notEstimable, "ROC curve of \(label) not estimable: \(pr.error ?? "no AUC")",
                    details: [("what", .string("auc \(pr.variable)"))]))
        }
        for c in o.comparisons {
            let a = labels[c.a] ?? c.a
            let b = labels[c.b] ?? c.b
            if let reason = c.reason {
                warnings.append(
                    MethodWarning(
                        .notEstimable, "Comparison of the AUCs of \(a) and \(b) not estimable: \(reason)",
                        details: [("what", .string("roc comparison \(c.a) vs \(c.b)"))]))
            }
            if let da = c.direction_a, let db = c.direction_b, da != db {
                warnings.append(
                    MethodWarning(
                        .rocDirectionsDiffer,
                        "The ROC curves of \(a) and \(b) have opposite directions (higher values predict the event for one, lower for the other); DeLong's test is reported, but pROC would bootstrap",
                        details: [("a", .string(c.a)), ("b", .string(c.b))]))
            }
        }
        return warnings
    }

    /// The AUC comparisons: a vs b, both AUCs, the difference with its CI, and p.
    static func comparisonTable(_ o: Output, _ p: Parameters) -> [ReportBlock] {
        guard !o.comparisons.isEmpty else { return [] }
        let level = Format.short(100 * p.confLevel)
        let rows: [[ReportCell]] = o.comparisons.map { c in
            let a = p.labels[c.a] ?? c.a
            let b = p.labels[c.b] ?? c.b
            guard let aucA = c.auc_a, let aucB = c.auc_b, let d = c.difference else {
                return [.text("\(a) vs \(b)"), .text("not estimable: \(c.reason ?? "")"), .text(""), .text(""), .text(""), .text("")]
            }
            let difference =
                Format.fixed(d, digits: 3) + (c.ci.map { " (\(Format.fixed($0.lower, digits: 3)) to \(Format.fixed($0.upper, digits: 3)))" } ?? "")
            return [
                .text("\(a) vs \(b)"), .text(Format.fixed(aucA, digits: 3)), .text(Format.fixed(aucB, digits: 3)), .text(difference),
                .text(c.p.map(Format.pValue) ?? "NA"), .text("\(c.n_positive) / \(c.n_negative)"),
            ]
        }
        return [
            .table(
                ReportTable(
                    name: "roc_comparisons", title: "Comparison of AUCs",
                    header: ["Comparison (a vs b)", "AUC a", "AUC b", "Difference a − b (\(level)% CI)", "p", "Events / non-events"],
                    rows: rows,
                    note:
                        "Paired DeLong test on the patients with both predictors present; each curve's direction chosen on those patients."
                ))
        ]
    }
}

public import CohortPluginAPI
public import CohortReport

extension ROCCutoffPlugin {
    /// The outcome at the horizon, DeLong's CI, the cut-off rule, the paired comparisons.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        let horizon = "\(Format.short(p.horizon)) \(p.unit)"
        let rule = p.method == .youden ? "the maximum of Youden's index" : "the point closest to the top-left corner of the ROC curve"
        var statements = [
            MethodsStatement(
                "The discrimination of \(Self.listed(p.predictors.map { p.labels[$0] ?? $0 })) for death within \(horizon) "
                    + "was assessed by receiver operating characteristic (ROC) analysis, patients censored before \(horizon) being excluded; "
                    + "the area under the curve (AUC) is given with DeLong's \(Format.short(100 * p.confLevel))% confidence interval, "
                    + "and the cut-off was chosen at \(rule).",
                references: [.delong] + (p.method == .youden ? [.youden] : []))
        ]
        if !p.comparisons.isEmpty {
            statements.append(
                MethodsStatement(
                    "AUCs of two predictors were compared on the same patients with DeLong's test for paired ROC curves.", references: [.delong]))
        }
        return statements
    }

    /// "a, b and c".
    static func listed(_ items: [String]) -> String {
        items.count <= 2 ? items.joined(separator: " and ") : items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
    }
}

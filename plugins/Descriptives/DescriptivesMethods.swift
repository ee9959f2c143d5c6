public import CohortPluginAPI
public import CohortReport

extension DescriptivesPlugin {
    /// Table 1's methods: the summaries, and with `by` the tests the `tests:` rule picked and the SMD.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        let label = { (v: String) in p.labels[v] ?? v }
        var statements = [
            MethodsStatement(
                "Continuous variables are summarised as median (range), categorical variables as counts and percentages of the patients "
                    + "with a value (results.json also holds quartiles, mean and standard deviation).")
        ]
        guard let by = p.by else { return statements }
        let nonnormal = p.variables.filter { p.nonnormal.contains($0) }.map(label)
        switch p.tests {
        case .ezr:
            var text =
                "Characteristics were compared between the groups of \(label(by)) as EZR does: categorical variables with Fisher's exact test "
                + "when there were two groups and the chi-square test otherwise, continuous variables with one-way analysis of variance"
            var references: [Reference] = [.fisher]
            if !nonnormal.isEmpty {
                text += ", or the Kruskal–Wallis test for \(nonnormal.joined(separator: ", "))"
                references.append(.kruskalWallis)
            }
            statements.append(MethodsStatement(text + ".", references: references))
        case .gtsummary:
            statements.append(
                MethodsStatement(
                    "Characteristics were compared between the groups of \(label(by)) as gtsummary does: continuous variables with the "
                        + "Wilcoxon rank-sum test for two groups and the Kruskal–Wallis test for more, categorical variables with the chi-square "
                        + "test without continuity correction, or Fisher's exact test when an expected count was below 5.",
                    references: [.wilcoxon, .kruskalWallis, .fisher]))
        case .none:
            break
        }
        if p.smd {
            statements.append(
                MethodsStatement(
                    "Balance between the groups is shown by standardized mean differences (for more than two groups, the mean over the pairs).",
                    references: [.austinSMD]))
        }
        return statements
    }
}

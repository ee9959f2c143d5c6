public import CohortPluginAPI
public import CohortReport

extension LogRankPlugin {
    /// The test, its strata, cut-offs, pairwise adjustment and trend.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        let test = p.rho == 0 ? "the log-rank test" : "the Peto–Peto modification of the Wilcoxon test (ρ = \(Format.short(p.rho)))"
        var text = "Survival was compared between groups with \(test)"
        if !p.strata.isEmpty { text += ", stratified by \(p.strataLabels.joined(separator: " × "))" }
        var statements = [MethodsStatement(text + ".", references: p.rho == 0 ? [.mantel] : [.petoPeto])]
        let cutoffs = p.groups.compactMap { g -> String? in
            switch g.cutoff {
            case .median?: return "\(g.label) at its median"
            case .value(let v)?: return "\(g.label) at \(Format.short(v))"
            case .analysis?: return "\(g.label) at the cut-off of its ROC analysis"
            case nil: return nil
            }
        }
        if !cutoffs.isEmpty {
            statements.append(MethodsStatement("Continuous variables were dichotomised: " + cutoffs.joined(separator: "; ") + "."))
        }
        if let adjustment = p.pairwise {
            let (name, references): (String, [Reference]) =
                switch adjustment {
                case .bonferroni: ("Bonferroni's method", [])
                case .holm: ("Holm's method", [.holm])
                case .benjaminiHochberg: ("the Benjamini–Hochberg method", [.benjaminiHochberg])
                case .none: ("no adjustment", [])
                }
            statements.append(
                MethodsStatement(
                    "Every pair of groups was compared with the same test, p-values adjusted by \(name)"
                        + (p.roundPairwise ? " from p rounded to three significant digits, as EZR does." : "."),
                    references: references))
        }
        if p.trend {
            statements.append(MethodsStatement("For groupings with three or more ordered levels, a test for trend used the scores 1 to k."))
        }
        if let landmark = p.landmark { statements.append(landmarkStatement(landmark, unit: p.unit)) }
        return statements
    }
}

public import CohortPluginAPI
public import CohortReport

extension CoxPlugin {
    /// The models, ties, strata, the proportional-hazards check and the factor tests.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        let ties = p.ties.rawValue == "efron" ? "Efron's" : "Breslow's"
        var models: [String] = []
        if !p.univariable.isEmpty { models.append("univariable") }
        if !p.multivariable.isEmpty { models.append("multivariable") }
        var text =
            "Hazard ratios with \(Format.short(100 * p.confLevel))% confidence intervals were estimated by \(models.joined(separator: " and ")) "
            + "Cox proportional-hazards regression with \(ties) method for tied times and Wald tests"
        if !p.strata.isEmpty { text += ", stratified by \(p.strata.map { p.labels[$0] ?? $0 }.joined(separator: " × "))" }
        var statements = [
            MethodsStatement(
                text + "; discrimination is given by Harrell's concordance.",
                references: [.cox, p.ties.rawValue == "efron" ? .efron : .breslow, .harrell])
        ]
        if p.phTest || p.checks {
            statements.append(
                MethodsStatement(
                    "The proportional-hazards assumption was checked in every model with the score test on scaled Schoenfeld residuals "
                        + "(Kaplan–Meier time transform)\(p.phTest ? ", reported per variable and globally" : "").",
                    references: [.grambschTherneau]))
        }
        if p.factorTest != .none, o.models.contains(where: { !$0.factor_tests.isEmpty }) {
            statements.append(
                MethodsStatement(
                    "Variables with three or more levels were tested as a whole by a \(p.factorTest == .wald ? "Wald" : "likelihood-ratio") test."))
        }
        if let landmark = p.landmark { statements.append(landmarkStatement(landmark, unit: p.unit)) }
        return statements
    }
}

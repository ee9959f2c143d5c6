public import CohortPluginAPI
public import CohortReport

extension RMSTPlugin {
    /// The restricted mean up to tau, and the two-group difference and ratio.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        var text =
            "The restricted mean survival time up to \(Format.short(p.tau)) \(p.unit), the area under the Kaplan–Meier curve, "
            + "was estimated with its \(Format.short(100 * p.confLevel))% confidence interval"
        var references: [Reference] = [.roystonParmar]
        if o.groups.count == 2 {
            text += "; the two groups were compared by the difference and the ratio of their restricted means"
            references.append(.uno)
        }
        var statements = [MethodsStatement(text + ".", references: references)]
        if let landmark = p.landmark { statements.append(landmarkStatement(landmark, unit: p.unit)) }
        return statements
    }
}

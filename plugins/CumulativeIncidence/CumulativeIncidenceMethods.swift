public import CohortPluginAPI
public import CohortReport

extension CumulativeIncidencePlugin {
    /// The cumulative incidence with competing events, its variance and limits, Gray's test.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        let competing = o.causes.filter { $0 != o.event }.map(Format.display)
        var text =
            "The cumulative incidence of \(Format.display(o.event))"
            + (competing.isEmpty ? "" : ", with \(competing.joined(separator: " and ")) as competing events,")
            + " was estimated nonparametrically with Aalen's variance and \(Format.short(100 * p.confLevel))% confidence limits "
            + "on the log(−log) scale, instead of one minus the Kaplan–Meier estimate"
        var references: [Reference] = [.aalen]
        if p.by != nil {
            text += "; groups were compared with Gray's test" + (p.rho == 0 ? "" : " (ρ = \(Format.short(p.rho)))")
            references.append(.gray)
        }
        return [MethodsStatement(text + ".", references: references)]
    }
}

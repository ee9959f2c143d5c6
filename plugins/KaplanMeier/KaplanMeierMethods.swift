public import CohortPluginAPI
public import CohortReport

extension KaplanMeierPlugin {
    /// Kaplan–Meier with Greenwood's variance and the CI type; differences at fixed times; landmark.
    public static func methods(_ o: Output, parameters p: Parameters) -> [MethodsStatement] {
        let level = Format.short(100 * p.confidence.level)
        let transform: String =
            switch p.confidence.type {
            case .plain: "untransformed"
            case .log: "log-transformed"
            case .logLog: "log(−log)-transformed"
            }
        var statements = [
            MethodsStatement(
                "Survival was estimated with the Kaplan–Meier method, with Greenwood's variance and \(transform) \(level)% confidence intervals; "
                    + "median follow-up was estimated by the reverse Kaplan–Meier method.",
                references: [.kaplanMeier, .greenwood, .schemper])
        ]
        if !p.compareAt.isEmpty {
            statements.append(
                MethodsStatement(
                    "Survival at \(p.compareAt.map { Format.short($0) }.joined(separator: " and ")) \(p.unit) was compared between groups by the "
                        + "difference of the Kaplan–Meier estimates with its Greenwood standard error and a normal-approximation test.",
                    references: [.greenwood]))
        }
        if let landmark = p.landmark { statements.append(landmarkStatement(landmark, unit: p.unit)) }
        return statements
    }
}

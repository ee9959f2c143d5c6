/// An analysis made of independent parts — the variables of a Table 1, the groupings of a
/// univariate table, the predictors of an ROC analysis — that the runner may compute at the same
/// time, on the cores the other analyses leave free.
///
/// Requirements, each testable:
/// - ``parts(of:)`` returns at least one part; parts do not depend on each other.
/// - Running the parts and ``merge(_:parameters:)``-ing their outputs (in order) gives the same
///   output as ``run(_:input:)`` on the whole parameters.
public protocol PartitionedAnalysisPlugin: AnalysisPlugin {
    /// The parameters of each part, in output order.
    static func parts(of parameters: Parameters) -> [Parameters]
    /// The whole output from the parts' outputs, in the order of ``parts(of:)``.
    static func merge(_ outputs: [Output], parameters: Parameters) -> Output
}

extension PartitionedAnalysisPlugin {
    /// One part per element of the list at `list`, each with that element alone and every other
    /// parameter shared — the usual ``parts(of:)``.
    public static func parts<Element>(of parameters: Parameters, splitting list: WritableKeyPath<Parameters, [Element]>) -> [Parameters] {
        parameters[keyPath: list].map { element in
            var part = parameters
            part[keyPath: list] = [element]
            return part
        }
    }

    /// Decodes the parameters and binds them as parts the runner may compute concurrently.
    public static func configure(_ entry: any ParameterValue, context: AnalysisContext) throws -> ConfiguredAnalysis {
        let parameters = try decode(entry, context: context)
        let parts = self.parts(of: parameters)
        let checks = try MethodChecks.enabled(in: entry)
        return bind(context.id, parameters: parameters, parts: parts.isEmpty ? [parameters] : parts, checks: checks) { outputs in
            parts.isEmpty ? outputs[0] : merge(outputs, parameters: parameters)
        }
    }
}

public import CohortJSON
public import CohortReport

/// What one analysis produced: its result as JSON, its report, and the typed output for later analyses.
public struct AnalysisOutcome: Sendable {
    public var result: JSONValue
    public var report: [ReportBlock]
    public var output: any Sendable
    /// The method checks it raised (also in `result`'s `warnings`).
    public var warnings: [MethodWarning] = []
    /// Its sentences of the "Statistical analysis" paragraph.
    public var methods: [MethodsStatement] = []
}

/// An analysis with its parameters decoded, ready to run: ``partCount`` parts, each computed by
/// ``runPart(_:input:)`` (possibly concurrently), then put together by ``assemble(_:report:)``.
/// Errors from either are ``AnalysisError``s.
public struct ConfiguredAnalysis: Sendable {
    public let id: String
    public let plugin: String
    /// Ids of earlier analyses whose outputs this one reads.
    public let dependencies: [String]
    /// Independent parts (1 unless the plugin is a ``PartitionedAnalysisPlugin``).
    public let partCount: Int
    /// The plugin's output type (for later analyses' checks, see ``EarlierAnalysis/output``).
    public let outputType: any Sendable.Type
    let part: @Sendable (Int, AnalysisInput) throws -> any Sendable
    let whole: @Sendable ([any Sendable], ReportContext) throws -> AnalysisOutcome

    /// Computes part `k` (`0..<partCount`); its value is only for ``assemble(_:report:)``.
    public func runPart(_ k: Int, input: AnalysisInput) throws(AnalysisError) -> any Sendable {
        do { return try part(k, input) } catch { throw AnalysisError(describing: error) }
    }

    /// The outcome from all parts' values, in part order.
    public func assemble(_ parts: [any Sendable], report: ReportContext) throws(AnalysisError) -> AnalysisOutcome {
        do { return try whole(parts, report) } catch { throw AnalysisError(describing: error) }
    }

    /// Runs every part in turn and assembles them.
    public func run(_ input: AnalysisInput, report: ReportContext) throws(AnalysisError) -> AnalysisOutcome {
        var values: [any Sendable] = []
        for k in 0..<partCount { values.append(try runPart(k, input: input)) }
        return try assemble(values, report: report)
    }

    /// The earlier-analysis entry later analyses validate against.
    public var asEarlier: EarlierAnalysis { EarlierAnalysis(id: id, plugin: plugin, output: outputType) }
}

extension AnalysisPlugin {
    /// Decodes the parameters of an `analyses:` entry and binds them to this plugin.
    public static func configure(_ entry: any ParameterValue, context: AnalysisContext) throws -> ConfiguredAnalysis {
        let parameters = try decode(entry, context: context)
        return bind(context.id, parameters: parameters, parts: [parameters], checks: try MethodChecks.enabled(in: entry)) { outputs in outputs[0] }
    }

    /// The parameters of an `analyses:` entry: its keys checked against ``Key`` (besides `id`,
    /// `plugin` and ``MethodChecks/key``), then read by ``parameters(from:context:)`` with
    /// ``AnalysisContext/checks`` set from the entry's `checks:`.
    public static func decode(_ entry: any ParameterValue, context: AnalysisContext) throws -> Parameters {
        var context = context
        context.checks = try MethodChecks.enabled(in: entry)
        return try parameters(from: entry.mapping(Key.self, alsoAllowing: ["id", "plugin", MethodChecks.key]), context: context)
    }

    /// The configured analysis. With `checks` false (`checks: false`) its method checks are
    /// dropped: `warnings: []` in the result of a ``WarningReporting`` output and no checks in
    /// the report.
    static func bind(
        _ id: String, parameters: Parameters, parts: [Parameters], checks: Bool,
        merge: @escaping @Sendable ([Output]) -> Output
    ) -> ConfiguredAnalysis {
        ConfiguredAnalysis(
            id: id, plugin: name, dependencies: dependencies(of: parameters), partCount: parts.count, outputType: Output.self,
            part: { k, input in try run(parts[k], input: input) },
            whole: { values, reportContext in
                let outputs = values.compactMap { $0 as? Output }
                guard outputs.count == values.count, !outputs.isEmpty else {
                    throw AnalysisError(.internal, "the parts of the analysis did not all complete")
                }
                let output = merge(outputs)
                let encoded = try JSONValueEncoder().encode(output)
                // Only a WarningReporting output's `warnings` are method checks (exec's result is its program's).
                let result = checks || !(output is any WarningReporting) ? encoded : MethodChecks.silenced(encoded)
                var blocks = report(output, parameters: parameters, context: reportContext)
                let warnings = checks ? (output as? any WarningReporting)?.warnings ?? [] : []
                if !warnings.isEmpty { blocks.append(.checks(warnings.map(\.reportCheck))) }
                return AnalysisOutcome(
                    result: result, report: blocks, output: output, warnings: warnings, methods: methods(output, parameters: parameters))
            })
    }
}

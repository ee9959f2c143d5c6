@_exported public import CohortConfiguration
@_exported public import CohortData

/// An analysis that a pipeline can name in `plugin:`.
///
/// Requirements, each testable:
/// - ``name`` is unique among registered plugins and matches `[a-z_]+`.
/// - ``parameters(from:in:)`` reads only keys listed in ``parameterKeys`` (plus `id`, `plugin`);
///   it rejects every unknown key, and every variable it accepts is known to `context`
///   (declared or derived), so that a pipeline is fully validated before any data is read.
///   Errors are ``ConfigurationError``s located at the offending node.
/// - ``run(_:input:)`` is a pure function of its parameters and input: no I/O except where the
///   plugin's purpose is I/O (`exec`), no global state, the same output for the same input.
///   Bad data is reported by throwing (``AnalysisError`` or any error with a clear message), never by
///   trapping; the runner records the error against this analysis and the others still run.
/// - ``Output`` encodes to the results contract; `nil` optionals become `null`, never a missing key.
/// - ``report(_:parameters:context:)`` renders what a reader of a paper expects (tables, figures);
///   counts that `min_cell` may suppress are ``ReportCell/count(_:percent:)`` cells.
public protocol AnalysisPlugin: Sendable {
    associatedtype Parameters: Sendable
    associatedtype Output: Encodable & Sendable

    /// The name used in `plugin:`.
    static var name: String { get }
    /// Keys the analysis mapping may hold besides `id` and `plugin`.
    static var parameterKeys: [String] { get }
    /// Decodes and validates the parameters.
    static func parameters(from mapping: YAMLMapping, in context: PipelineContext) throws -> Parameters
    /// Runs the analysis.
    static func run(_ parameters: Parameters, input: AnalysisInput) throws -> Output
    /// The report sections for the output.
    static func report(_ output: Output, parameters: Parameters, context: ReportContext) -> [ReportBlock]
    /// Decodes an `analyses:` entry and binds its parameters to the plugin. Provided (by this
    /// protocol's extension, or ``PartitionedAnalysisPlugin``'s); plugins do not implement it.
    static func configure(_ spec: Pipeline.AnalysisSpec, in context: PipelineContext) throws -> ConfiguredAnalysis
}

/// An error an analysis reports about its data.
public struct AnalysisError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// What one analysis produced: the JSON result, its report, and the typed output for later analyses.
public struct AnalysisOutcome: Sendable {
    public var result: JSONValue
    public var report: [ReportBlock]
    public var output: any Sendable
}

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

/// An analysis with its parameters decoded, ready to run: ``partCount`` parts, each computed by
/// ``runPart(_:input:)`` (possibly concurrently), then put together by ``assemble(_:report:)``.
public struct ConfiguredAnalysis: Sendable {
    public let id: String
    public let plugin: String
    /// Ids of earlier analyses whose outputs this one reads.
    public let dependencies: [String]
    /// Independent parts (1 unless the plugin is a ``PartitionedAnalysisPlugin``).
    public let partCount: Int
    let part: @Sendable (Int, AnalysisInput) throws -> any Sendable
    let whole: @Sendable ([any Sendable], ReportContext) throws -> AnalysisOutcome

    /// Computes part `k` (`0..<partCount`); its value is only for ``assemble(_:report:)``.
    public func runPart(_ k: Int, input: AnalysisInput) throws -> any Sendable {
        try part(k, input)
    }

    /// The outcome from all parts' values, in part order.
    public func assemble(_ parts: [any Sendable], report: ReportContext) throws -> AnalysisOutcome {
        try whole(parts, report)
    }

    /// Runs every part in turn and assembles them.
    public func run(_ input: AnalysisInput, report: ReportContext) throws -> AnalysisOutcome {
        try assemble((0..<partCount).map { try runPart($0, input: input) }, report: report)
    }
}

extension AnalysisPlugin {
    /// Decodes the parameters of an `analyses:` entry and binds them to this plugin.
    public static func configure(_ spec: Pipeline.AnalysisSpec, in context: PipelineContext) throws -> ConfiguredAnalysis {
        let parameters = try decode(spec, in: context)
        return bind(spec, parameters: parameters, parts: [parameters], context: context) { outputs in outputs[0] }
    }

    static func decode(_ spec: Pipeline.AnalysisSpec, in context: PipelineContext) throws -> Parameters {
        let mapping = try spec.node.mapping(allowing: ["id", "plugin"] + parameterKeys)
        context.referencedAnalyses = []
        return try self.parameters(from: mapping, in: context)
    }

    static func bind(_ spec: Pipeline.AnalysisSpec, parameters: Parameters, parts: [Parameters], context: PipelineContext,
                     merge: @escaping @Sendable ([Output]) -> Output) -> ConfiguredAnalysis {
        ConfiguredAnalysis(
            id: spec.id, plugin: name, dependencies: context.referencedAnalyses, partCount: parts.count,
            part: { k, input in try run(parts[k], input: input) },
            whole: { values, reportContext in
                let outputs = values.compactMap { $0 as? Output }
                guard outputs.count == values.count, !outputs.isEmpty else {
                    throw AnalysisError("internal", "the parts of the analysis did not all complete")
                }
                let output = merge(outputs)
                let result = try JSONValueEncoder().encode(output)
                return AnalysisOutcome(result: result, report: report(output, parameters: parameters, context: reportContext),
                                       output: output)
            })
    }
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
    public static func configure(_ spec: Pipeline.AnalysisSpec, in context: PipelineContext) throws -> ConfiguredAnalysis {
        let parameters = try decode(spec, in: context)
        let parts = self.parts(of: parameters)
        return bind(spec, parameters: parameters, parts: parts.isEmpty ? [parameters] : parts, context: context) { outputs in
            parts.isEmpty ? outputs[0] : merge(outputs, parameters: parameters)
        }
    }
}

/// An output that supplies cut-offs for other analyses (`cutoff: {from: <id>}`).
public protocol CutoffProviding: Sendable {
    /// The threshold found for `variable`, if any.
    func cutoff(for variable: String) -> Double?
    /// The variables it can supply a cut-off for.
    var cutoffVariables: [String] { get }
}

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

/// An analysis with its parameters decoded, ready to run.
public struct ConfiguredAnalysis: Sendable {
    public let id: String
    public let plugin: String
    /// Ids of earlier analyses whose outputs this one reads.
    public let dependencies: [String]
    let body: @Sendable (AnalysisInput, ReportContext) throws -> AnalysisOutcome

    public func run(_ input: AnalysisInput, report: ReportContext) throws -> AnalysisOutcome {
        try body(input, report)
    }
}

extension AnalysisPlugin {
    /// Decodes the parameters of an `analyses:` entry and binds them to this plugin.
    public static func configure(_ spec: Pipeline.AnalysisSpec, in context: PipelineContext) throws -> ConfiguredAnalysis {
        let mapping = try spec.node.mapping(allowing: ["id", "plugin"] + parameterKeys)
        context.referencedAnalyses = []
        let parameters = try self.parameters(from: mapping, in: context)
        return ConfiguredAnalysis(id: spec.id, plugin: name, dependencies: context.referencedAnalyses) { input, reportContext in
            let output = try run(parameters, input: input)
            let result = try JSONValueEncoder().encode(output)
            return AnalysisOutcome(result: result, report: report(output, parameters: parameters, context: reportContext), output: output)
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

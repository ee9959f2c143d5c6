public import CohortReport

/// An analysis that a pipeline can name in `plugin:`.
///
/// Requirements, each testable (the conformance suite checks them over every registered plugin):
/// - ``name`` is unique among registered plugins and matches `[a-z_]+`.
/// - ``Key`` lists every key the analysis mapping may hold besides `id` and `plugin`; any other key
///   is rejected, located, before ``parameters(from:context:)`` runs, and that function reads every
///   key of ``Key`` (an unread key would be accepted and ignored).
/// - ``parameters(from:context:)`` checks every variable against `context` (declared or derived,
///   of an allowed kind), so that a pipeline is fully validated before any data is read. Its errors
///   are the ones ``ParameterValue/error(_:_:)`` makes, located at the offending value.
/// - ``dependencies(of:)`` names every earlier analysis whose output ``run(_:input:)`` reads
///   (from ``AnalysisInput/earlierOutputs``); the runner runs those first.
/// - ``run(_:input:)`` is a pure function of its parameters and input: no I/O except where the
///   plugin's purpose is I/O (`exec`), no global state, the same output for the same input.
///   Bad data is reported by throwing (``AnalysisError``), never by trapping; the runner records
///   the error against this analysis and the others still run.
/// - ``Output`` encodes to the results contract; a `nil` optional is encoded as `null`, never as a
///   missing key (a key that does not apply is not a field of the type).
/// - ``report(_:parameters:context:)`` renders what a reader of a paper expects (tables, figures),
///   for any output ``run(_:input:)`` can return, without trapping; counts that `min_cell` may
///   suppress are ``ReportCell/count(_:percent:)`` cells.
public protocol AnalysisPlugin: Sendable {
    associatedtype Parameters: Sendable
    associatedtype Output: Encodable & Sendable
    associatedtype Key: ParameterKey

    /// The name used in `plugin:`.
    static var name: String { get }
    /// Decodes and validates the parameters.
    static func parameters(from mapping: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters
    /// Ids of the earlier analyses whose outputs ``run(_:input:)`` reads. Default: none.
    static func dependencies(of parameters: Parameters) -> [String]
    /// Runs the analysis.
    static func run(_ parameters: Parameters, input: AnalysisInput) throws -> Output
    /// The report sections for the output.
    static func report(_ output: Output, parameters: Parameters, context: ReportContext) -> [ReportBlock]
    /// What the analysis did, for the run's "Statistical analysis" paragraph (methods.md): the
    /// estimators, tests and conventions that produced `output`, in a paper's register, with the
    /// works they rest on. Default: nothing.
    static func methods(_ output: Output, parameters: Parameters) -> [MethodsStatement]
    /// Decodes an `analyses:` entry and binds its parameters to the plugin. Provided (by this
    /// protocol's extension, or ``PartitionedAnalysisPlugin``'s); plugins do not implement it.
    static func configure(_ entry: any ParameterValue, context: AnalysisContext) throws -> ConfiguredAnalysis
}

extension AnalysisPlugin {
    public static func dependencies(of parameters: Parameters) -> [String] { [] }
    public static func methods(_ output: Output, parameters: Parameters) -> [MethodsStatement] { [] }
}

/// Settings that shape the report.
public struct ReportContext: Sendable {
    /// Counts below this (when > 0) print as "<N".
    public var minCell: Int
    /// Unit of survival times ("months").
    public var timeUnit: String

    public init(minCell: Int, timeUnit: String) {
        self.minCell = minCell
        self.timeUnit = timeUnit
    }
}

/// An output that supplies cut-offs for other analyses (`cutoff: {from: <id>}`).
public protocol CutoffProviding: Sendable {
    /// The threshold found for `variable`, if any.
    func cutoff(for variable: String) -> Double?
}

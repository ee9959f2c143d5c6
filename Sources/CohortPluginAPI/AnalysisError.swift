public import CohortStatistics

/// An error an analysis reports about its data; recorded against that analysis in results.json
/// while the others still run.
public struct AnalysisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable classification (logged; never data).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A variable has the wrong type for this use.
        public static let typeMismatch = Code("type_mismatch")
        /// A variable the data do not have.
        public static let unknownVariable = Code("unknown_variable")
        /// The pipeline has no survival block.
        public static let noSurvival = Code("no_survival")
        /// The pipeline has no competing block.
        public static let noCompeting = Code("no_competing")
        /// A parameter does not fit the data (a censored level the status does not have).
        public static let invalidParameter = Code("invalid_parameter")
        /// An earlier analysis this one reads did not complete or has nothing for it.
        public static let missingDependency = Code("missing_dependency")
        /// Nothing to analyse.
        public static let emptyInput = Code("empty_input")
        /// A fault of cohortd, not of the data.
        public static let `internal` = Code("internal")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A statistics error, its code kept.
    public init(_ error: StatisticsError) {
        self.init(Code(error.code.name), error.message)
    }

    /// Any error a plugin threw, as an analysis error.
    public init(describing error: any Error) {
        switch error {
        case let e as AnalysisError: self = e
        case let e as StatisticsError: self.init(e)
        default: self.init(.internal, String(describing: error))
        }
    }

    public var description: String { message }
}

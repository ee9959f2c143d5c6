/// An error raised when a statistical routine is given input it cannot analyse.
///
/// Every routine in this module validates its input before computing and throws this
/// error rather than trapping or returning NaN. The `code` is stable and meant for
/// programs; the `message` is written for a statistician and names the offending value
/// and its position in the input arrays where there is one.
public struct StatisticsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable classification of a ``StatisticsError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `invalid_time`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Arrays that must be parallel have different lengths.
        public static let lengthMismatch = Code("length_mismatch")
        /// No observations are left to analyse.
        public static let emptyInput = Code("empty_input")
        /// A survival time is negative, infinite or NaN.
        public static let invalidTime = Code("invalid_time")
        /// An event indicator is not 0 or 1.
        public static let invalidEvent = Code("invalid_event")
        /// A test needs at least two groups with observations.
        public static let tooFewGroups = Code("too_few_groups")
        /// A group or class needed by the method has no observations.
        public static let emptyGroup = Code("empty_group")
        /// The analysis needs events and the data have none (or too few).
        public static let tooFewEvents = Code("too_few_events")
        /// A predictor or covariate does not vary.
        public static let constantPredictor = Code("constant_predictor")
        /// A value is not usable (non-finite where a finite number is needed).
        public static let invalidValue = Code("invalid_value")
        /// A parameter of the method is out of its domain.
        public static let invalidParameter = Code("invalid_parameter")
        /// A matrix that must be inverted is singular.
        public static let singularMatrix = Code("singular_matrix")
        /// A value lies outside every declared bin.
        public static let outsideBins = Code("outside_bins")
    }

    /// What kind of problem this is.
    public var code: Code
    /// A human-readable explanation, naming the value and position where known.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

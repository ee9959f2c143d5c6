public import CohortJSON
public import CohortReport

/// A method check an analysis raised (`analyses-v2.md`, "Common: warnings"): encoded in the
/// analysis result's `warnings` as `{"code": …, "message": …, <details>…}` and printed under the
/// analysis and in the report's "Checks" section.
///
/// The message is written for the reader of the report: it names variables and levels as the
/// pipeline declares them, never a cell value or an identifier of a patient.
public struct MethodWarning: Sendable, Hashable, Encodable {
    /// A contract warning code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A Cox term or the global `cox.zph` test has p < `ph_alpha`. Details: `term`, `p`.
        public static let phViolated = Code("ph_violated")
        /// A Cox model has fewer than 10 events per coefficient. Details: `events`, `coefficients`.
        public static let fewEventsPerVariable = Code("few_events_per_variable")
        /// A chi-square test with an expected count below 5. Details: `variable`.
        public static let sparseExpected = Code("sparse_expected")
        /// A requested time lies past a group's last observation. Details: `group`, `time`.
        public static let pastFollowUp = Code("past_follow_up")
        /// `roc_cutoff` left out patients censored before the horizon. Details: `excluded`, `percent`.
        public static let rocExcludedCensored = Code("roc_excluded_censored")
        /// KM or log-rank on an event that has competing event types. Details: `levels`.
        public static let competingEvents = Code("competing_events")
        /// A grouping variable derived from a date after the time origin. Details: `variable`, `n`.
        public static let immortalTime = Code("immortal_time")
        /// A test or estimate returned null. Details: `what`.
        public static let notEstimable = Code("not_estimable")
        /// Two ROC curves compared with different directions (pROC would bootstrap). Details: `a`, `b`.
        public static let rocDirectionsDiffer = Code("roc_directions_differ")
    }

    public var code: Code
    public var message: String
    /// The code's extra keys, in order.
    public var details: [(key: String, value: JSONValue)]

    public init(_ code: Code, _ message: String, details: [(key: String, value: JSONValue)] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public static func == (a: MethodWarning, b: MethodWarning) -> Bool {
        a.code == b.code && a.message == b.message && JSONValue.object(a.details) == JSONValue.object(b.details)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(JSONValue.object(details))
    }

    public func encode(to encoder: any Encoder) throws {
        var pairs: [(key: String, value: JSONValue)] = [("code", .string(code.name)), ("message", .string(message))]
        pairs.append(contentsOf: details.filter { $0.key != "code" && $0.key != "message" })
        // Through a container, so that JSONValueEncoder stores the object itself.
        var container = encoder.singleValueContainer()
        try container.encode(JSONValue.object(pairs))
    }

    /// The check as the report prints it.
    public var reportCheck: ReportCheck { ReportCheck(code: code.name, message: message) }
}

/// An output that carries method checks in its `warnings` key.
///
/// Requirements: ``warnings`` is encoded as the output's `warnings` key (an empty array when no
/// check fired), and holds every warning of the output, also those of its nested parts, once.
/// The runner prints them under the analysis and in the report's "Checks" section.
public protocol WarningReporting: Sendable {
    var warnings: [MethodWarning] { get }
}

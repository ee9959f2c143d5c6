import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: cumulative_incidence` — competing risks (`analyses-v2.md`, "cumulative_incidence"):
/// the cumulative incidence of every event type of the pipeline's `competing:` status, per level
/// of `by` (or of all patients), with Aalen's variance, the values at chosen times with EZR's
/// confidence limits, and Gray's test per cause — `cmprsk::cuminc` and `timepoints`. The analysis
/// to report instead of 1 − Kaplan–Meier when other events preclude the one of interest.
public enum CumulativeIncidencePlugin: AnalysisPlugin {
    public static let name = "cumulative_incidence"

    public enum Key: String, ParameterKey {
        case event, by, times, conf_level, rho, title
    }

    public struct Parameters: Sendable {
        /// The cause of interest: a level of the competing status.
        public var event: String
        public var by: String?
        public var byLabel: String?
        public var times: [Double]
        public var confLevel: Double
        /// The power of Gray's weight (cuminc's `rho`).
        public var rho: Double
        public var title: String?
        public var unit: String
        public var status: String
    }

    /// The cumulative incidence at a requested time; null past the group's follow-up.
    public struct AtTime: Encodable, Sendable {
        public var time: Double
        public var estimate: Double?
        public var variance: Double?
        public var lower: Double?
        public var upper: Double?
        /// Why a value is null: past follow-up, or no event of the cause yet (no CI).
        public var reason: String?
    }

    /// The value after each jump (cuminc lists both corners of each step; these are the upper ones).
    public struct Step: Encodable, Sendable {
        public var time: Double
        public var estimate: Double
        public var variance: Double
    }

    /// One group's curve for one cause.
    public struct Curve: Encodable, Sendable {
        public var group: String
        public var cause: String
        public var n: Int
        public var events: Int
        public var table: [Step]
        public var at_times: [AtTime]
    }

    /// Gray's test for one cause (`cuminc$Tests`).
    public struct Test: Encodable, Sendable {
        public var cause: String
        public var statistic: Double?
        public var df: Int
        public var p: Double?
        public var reason: String?
    }

    public struct Output: Encodable, Sendable, WarningReporting {
        public var time_unit: String
        public var event: String
        public var status: String
        public var by: String?
        public var conf_level: Double
        public var rho: Double
        public var n_used: Int
        /// Rows without time or status.
        public var excluded: Int
        /// Rows left out because `by` is missing.
        public var by_missing: Int
        /// The event types with at least one event (and the cause of interest), in declared order.
        public var causes: [String]
        public var curves: [Curve]
        /// Only with `by`: one per cause.
        public var tests: [Test]?
        public var warnings: [MethodWarning]
        /// Kept for the figure; not part of results.json.
        var estimates: [(label: String, estimate: CumulativeIncidence)] = []
        var eventCause = 1
        /// Each listed cause's number among the event types (for the figure).
        var causeNumbers: [String: Int] = [:]

        enum CodingKeys: String, CodingKey {
            case time_unit, event, status, by, conf_level, rho, n_used, excluded, by_missing, causes, curves, tests, warnings
        }
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let competing = try context.requireCompeting(at: m.value)
        let eventValue = try m.required(.event)
        let event = try eventValue.string()
        if competing.censored.contains(event) {
            throw eventValue.error(.invalidValue, "'\(event)' is a censored level of '\(competing.status)', not an event type")
        }
        if let levels = context.declaredLevels[competing.status], !levels.contains(event) {
            let types = levels.filter { !competing.censored.contains($0) }
            throw eventValue.error(
                .invalidValue, "'\(event)' is not an event type of '\(competing.status)' (its event types: \(types.joined(separator: ", ")))")
        }
        let by = try m[.by].map { try context.variable($0, kinds: [.category, .boolean]) }
        // timepoints() sorts the requested times and drops repeats.
        let times = Array(Set(try m.numbers(.times) ?? [])).sorted()
        if let value = m[.times], times.contains(where: { !($0 >= 0 && $0.isFinite) }) {
            throw value.error(.invalidValue, "times must be finite numbers ≥ 0")
        }
        var rho = 0.0
        if let value = m[.rho] {
            rho = try value.number()
            guard rho.isFinite, rho >= 0 else { throw value.error(.invalidValue, "rho must be a number ≥ 0") }
        }
        return Parameters(
            event: event, by: by, byLabel: by.map { context.label($0) }, times: times, confLevel: try m.confidenceLevel(.conf_level),
            rho: rho, title: try m.string(.title), unit: competing.unit, status: competing.status)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let subset = try input.competingRisks()
        guard let eventIndex = subset.eventTypes.firstIndex(of: p.event) else {
            throw AnalysisError(
                .invalidParameter,
                "'\(p.event)' is not an event type of '\(p.status)' (its event types: \(subset.eventTypes.joined(separator: ", ")))")
        }
        let eventCause = eventIndex + 1
        var labels = ["all"]
        var codes = [Int32](repeating: 0, count: subset.data.count)
        var byMissing = 0
        if let by = p.by {
            let groups = try input.groups(by, rows: subset.rows)
            labels = groups.levels
            codes = groups.codes
            byMissing = codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        }
        let sorted = try subset.data.sorted(byGroup: codes, groupCount: labels.count)
        // Causes as cuminc lists them (those with an event among the analysed rows), with the
        // cause of interest always: its curves are 0 and its test is null when it has none.
        var counts = [Int](repeating: 0, count: subset.eventTypes.count)
        for (k, c) in subset.data.cause.enumerated() where c > 0 && codes[k] >= 0 { counts[Int(c) - 1] += 1 }
        let causes = (1...subset.eventTypes.count).filter { counts[$0 - 1] > 0 || $0 == eventCause }
        let z = try Normal.criticalValue(level: p.confLevel)
        var output = Output(
            time_unit: p.unit, event: p.event, status: p.status, by: p.by, conf_level: p.confLevel, rho: p.rho,
            n_used: subset.data.count - byMissing, excluded: subset.excluded, by_missing: byMissing,
            causes: causes.map { subset.eventTypes[$0 - 1] }, curves: [], tests: nil, warnings: [], eventCause: eventCause,
            causeNumbers: Dictionary(uniqueKeysWithValues: causes.map { (subset.eventTypes[$0 - 1], $0) }))
        for (label, group) in zip(labels, sorted) where group.count > 0 {
            let estimate = CumulativeIncidence(group)
            output.estimates.append((label, estimate))
            for cause in causes {
                output.curves.append(
                    curve(estimate, group: label, cause: cause, name: subset.eventTypes[cause - 1], times: p.times, z: z))
            }
            for t in p.times where t > estimate.lastTime {
                output.warnings.append(
                    MethodWarning(
                        .pastFollowUp,
                        "\(Format.short(t)) \(p.unit) is past the last follow-up of \(Format.display(label)) "
                            + "(\(Format.short(estimate.lastTime)) \(p.unit)): its cumulative incidence there is not estimated",
                        details: [("group", .string(label)), ("time", .number(t))]))
            }
        }
        if let by = p.by {
            // The time origin is the survival time's (the study's clock; the competing time shares it).
            let analysed = subset.rows.indices.filter { codes[$0] >= 0 }.map { subset.rows[$0] }
            output.warnings += input.immortalTimeWarnings(for: [by], rows: analysed, landmark: nil)
            let all = subset.data.sorted()
            let groupInOrder = subset.data.inTimeOrder(codes)
            output.tests = try causes.map { cause in
                let gray = try GrayTest(all, group: groupInOrder, groupCount: labels.count, cause: cause, rho: p.rho)
                let name = subset.eventTypes[cause - 1]
                var reason = gray.reason
                if counts[cause - 1] == 0 { reason = "no event of '\(name)' among the analysed patients" }
                if let reason {
                    output.warnings.append(
                        MethodWarning(
                            .notEstimable, "Gray's test for \(Format.display(name)) is not estimable: \(reason)",
                            details: [("what", .string("Gray's test for \(name)"))]))
                }
                return Test(
                    cause: name, statistic: reason == nil ? gray.statistic : nil, df: gray.df, p: reason == nil ? gray.p : nil, reason: reason)
            }
        }
        return output
    }

    static func curve(_ estimate: CumulativeIncidence, group: String, cause: Int, name: String, times: [Double], z: Double) -> Curve {
        let points = estimate.at(times, cause: cause)
        let atTimes = zip(times, points).map { t, point -> AtTime in
            guard let point else {
                return AtTime(
                    time: t, estimate: nil, variance: nil, lower: nil, upper: nil,
                    reason: "past the last follow-up (\(Format.short(estimate.lastTime)))")
            }
            let limits = CumulativeIncidence.confidenceLimits(estimate: point.estimate, variance: point.variance, z: z)
            return AtTime(
                time: t, estimate: point.estimate, variance: point.variance, lower: limits?.lower, upper: limits?.upper,
                reason: limits == nil
                    ? (point.estimate == 0 ? "no event of this cause by this time: no confidence limits" : "no confidence limits at 1")
                    : nil)
        }
        return Curve(
            group: group, cause: name, n: estimate.count, events: estimate.events[cause - 1],
            table: estimate.steps[cause - 1].map { Step(time: $0.time, estimate: $0.estimate, variance: $0.variance) }, at_times: atTimes)
    }
}

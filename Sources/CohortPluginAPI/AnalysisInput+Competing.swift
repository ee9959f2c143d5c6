import CohortData
public import CohortStatistics

extension AnalysisInput {
    /// The competing-risks outcome of the cohort (`competing:`).
    public struct CompetingSubset: Sendable {
        /// Times and causes: cause `c` is the event type `eventTypes[c − 1]`, 0 = censored.
        public var data: CompetingRisksData
        /// `rows[k]` is the table row of subject `k`.
        public var rows: [Int]
        /// Rows left out because time or status was missing.
        public var excluded: Int
        /// The levels of the status column that are event types, in declared order.
        public var eventTypes: [String]
    }

    /// The competing-risks outcome: rows with time or status missing are left out (their count is
    /// `excluded`); every `censored` level is recoded to one code, as cmprsk's `cencode`.
    ///
    /// - Throws: ``AnalysisError`` when the pipeline has no `competing:` block, a column has the
    ///   wrong type, a `censored` level is not a level of the status, or a time is negative
    ///   (naming its row of the cohort).
    public func competingRisks() throws -> CompetingSubset {
        guard let spec = competingOutcome else { throw AnalysisError(.noCompeting, "the pipeline has no competing block") }
        guard case .number(let time) = try column(spec.time).data else {
            throw AnalysisError(.typeMismatch, "competing time '\(spec.time)' must be a number")
        }
        guard case .category(let codes, let levels) = try column(spec.status).data else {
            throw AnalysisError(.typeMismatch, "competing status '\(spec.status)' must be a category")
        }
        let unknown = spec.censored.filter { !levels.contains($0) }
        if !unknown.isEmpty {
            throw AnalysisError(
                .invalidParameter,
                "competing: censored level \(unknown.map { "'\($0)'" }.joined(separator: ", ")) is not a level of '\(spec.status)'")
        }
        // Level code → cause: 0 for censored levels, 1, 2, … for the event types in declared order.
        var causeOfLevel = [Int32](repeating: 0, count: levels.count)
        var eventTypes: [String] = []
        for (k, level) in levels.enumerated() where !spec.censored.contains(level) {
            eventTypes.append(level)
            causeOfLevel[k] = Int32(eventTypes.count)
        }
        guard !eventTypes.isEmpty else {
            throw AnalysisError(.invalidParameter, "competing: every level of '\(spec.status)' is censored, so there is no event type")
        }
        var rows: [Int] = []
        var cause: [Int32] = []
        rows.reserveCapacity(table.rowCount)
        cause.reserveCapacity(table.rowCount)
        for i in 0..<table.rowCount where !time[i].isNaN && codes[i] >= 0 && Int(codes[i]) < levels.count {
            rows.append(i)
            cause.append(causeOfLevel[Int(codes[i])])
        }
        do {
            let data = try CompetingRisksData(time: rows.map { time[$0] }, cause: cause, causeCount: eventTypes.count)
            return CompetingSubset(data: data, rows: rows, excluded: table.rowCount - rows.count, eventTypes: eventTypes)
        } catch let error as StatisticsError {
            throw Self.located(error, rows: rows, what: "competing '\(spec.time)'/'\(spec.status)'")
        }
    }

    /// The event types of the `competing:` status that occur in the cohort, in declared order
    /// (empty without a `competing:` block): the `competing_events` check of `kaplan_meier` and
    /// `logrank` fires when there are two or more.
    public func occurringEventTypes() -> [String] {
        guard let spec = competingOutcome, let column = table[spec.status], case .category(let codes, let levels) = column.data else {
            return []
        }
        var seen = [Bool](repeating: false, count: levels.count)
        for code in codes where code >= 0 && Int(code) < levels.count { seen[Int(code)] = true }
        return levels.indices.filter { seen[$0] && !spec.censored.contains(levels[$0]) }.map { levels[$0] }
    }
}

extension AnalysisInput {
    /// The `competing_events` check (`analyses-v2.md`, "Common: warnings") of a Kaplan–Meier or
    /// log-rank analysis: `nil` unless the `competing:` status has two or more event types in the
    /// cohort, where 1 − KM of one of them overestimates its cumulative incidence.
    public func competingEventsWarning(analysis: String) -> MethodWarning? {
        let types = occurringEventTypes()
        guard types.count >= 2, let spec = competingOutcome else { return nil }
        return MethodWarning(
            .competingEvents,
            "'\(spec.status)' records \(types.count) event types (\(types.joined(separator: ", "))). A \(analysis) of one of them "
                + "counts the others as censored, so 1 − Kaplan–Meier overestimates its cumulative incidence: "
                + "report cumulative_incidence for it instead.",
            details: [("levels", .array(types.map { .string($0) }))])
    }
}

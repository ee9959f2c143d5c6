/// Competing-risks data: one follow-up time and one cause per subject, `0` for a censored
/// observation and `1...causeCount` for an event of that type.
///
/// Construction validates every observation (times finite and not negative, causes in range)
/// and sorts the subjects by time once, for the estimators and tests that share it.
public struct CompetingRisksData: Sendable, Hashable {
    /// Follow-up times, finite and not negative.
    public let time: [Double]
    /// `0` = censored, `c` in `1...causeCount` = an event of cause `c`.
    public let cause: [Int32]
    /// The number of event types.
    public let causeCount: Int
    /// Times and causes in time order (ties in any order: every estimator here aggregates ties).
    let survival: SurvivalData

    /// The number of subjects.
    public var count: Int { time.count }

    /// - Throws: ``StatisticsError`` `length_mismatch`, `invalid_time` naming the first bad time and
    ///   its position (1-based), or `invalid_event` for a cause outside `0...causeCount`.
    public init(time: [Double], cause: [Int32], causeCount: Int) throws {
        guard time.count == cause.count else {
            throw StatisticsError(.lengthMismatch, "\(time.count) times but \(cause.count) causes")
        }
        guard causeCount >= 1 else { throw StatisticsError(.invalidParameter, "competing risks need at least one event type") }
        if let i = cause.firstIndex(where: { $0 < 0 || Int($0) > causeCount }) {
            throw StatisticsError(.invalidEvent, "cause \(cause[i]) of observation \(i + 1) is not 0 (censored) or 1...\(causeCount)")
        }
        survival = try SurvivalData(time: time, event: cause.map { $0 != 0 })
        self.time = survival.time
        self.cause = cause
        self.causeCount = causeCount
    }

    /// The number of events of each cause (index `c − 1`).
    public var eventCounts: [Int] {
        var counts = [Int](repeating: 0, count: causeCount)
        for c in cause where c > 0 { counts[Int(c) - 1] += 1 }
        return counts
    }

    /// The subjects of each group in time order, as (times, causes). `group[i]` is a code in
    /// `0..<groupCount`, or negative to leave subject `i` out.
    ///
    /// - Throws: `length_mismatch`, or `invalid_parameter` for a code ≥ `groupCount`.
    public func sorted(byGroup group: [Int32], groupCount: Int) throws -> [SortedCompetingRisks] {
        let assignment = try survival.assign(group, count: groupCount)
        let causes = survival.inTimeOrder(cause)
        var times = [[Double]](repeating: [], count: groupCount)
        var cs = [[Int32]](repeating: [], count: groupCount)
        var sizes = [Int](repeating: 0, count: groupCount)
        for g in assignment.timeOrdered where g >= 0 { sizes[Int(g)] += 1 }
        for g in 0..<groupCount {
            times[g].reserveCapacity(sizes[g])
            cs[g].reserveCapacity(sizes[g])
        }
        let sortedTime = survival.sortedTime
        for k in 0..<assignment.timeOrdered.count {
            let g = Int(assignment.timeOrdered[k])
            if g < 0 { continue }
            times[g].append(sortedTime[k])
            cs[g].append(causes[k])
        }
        return (0..<groupCount).map { SortedCompetingRisks(time: times[$0], cause: cs[$0], causeCount: causeCount) }
    }

    /// All subjects in time order.
    public func sorted() -> SortedCompetingRisks {
        SortedCompetingRisks(time: survival.sortedTime, cause: survival.inTimeOrder(cause), causeCount: causeCount)
    }

    /// The subjects' group codes in time order, aligned with ``sorted()``.
    public func inTimeOrder(_ codes: [Int32]) -> [Int32] { survival.inTimeOrder(codes) }
}

/// Competing-risks data in time order (any order within tied times).
public struct SortedCompetingRisks: Sendable, Hashable {
    public let time: [Double]
    public let cause: [Int32]
    public let causeCount: Int
    public var count: Int { time.count }
}

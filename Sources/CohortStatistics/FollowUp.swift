/// How long a cohort was followed, the two ways papers report it.
public struct FollowUp: Sendable, Hashable {
    /// Median, minimum and maximum follow-up among subjects alive at last contact.
    public struct Survivors: Sendable, Hashable {
        public var count: Int
        public var median: Double
        public var minimum: Double
        public var maximum: Double
    }

    /// Median follow-up by the reverse Kaplan–Meier method (censoring treated as the event);
    /// `nil` when that curve does not reach 0.5.
    public var reverseKaplanMeierMedian: Double?
    /// The censored subjects' follow-up; `nil` when every subject had the event.
    public var survivors: Survivors?

    /// Computes both summaries.
    ///
    /// - Throws: `empty_input` when there are no subjects.
    public init(_ data: SurvivalData) throws {
        // Reverse Kaplan–Meier from the same time order (only counts per distinct time matter).
        let reversed = SortedSurvival(time: data.sortedTime, event: data.sortedEvent.map { !$0 })
        let curve = try KaplanMeier(reversed, confidence: SurvivalConfidence(type: .plain))
        reverseKaplanMeierMedian = curve.median.estimate
        // Survivors' follow-up, already in ascending order (read in place, not gathered).
        let censored = data.count - data.eventCount
        survivors = Self.survivors(zip(data.sortedTime, data.sortedEvent).lazy.map { ($0, $1 ? 0 : 1) }, count: censored)
    }

    /// The same from a group's distinct times with their events and censorings
    /// (``SurvivalData/timeCounts(by:)``), without the group's subjects.
    ///
    /// - Throws: `empty_input` when there are no subjects.
    public init(_ counts: [TimeCount]) throws {
        // Censoring treated as the event: the counts swapped.
        let reversed = counts.map { TimeCount(time: $0.time, events: $0.censored, censored: $0.events) }
        let curve = try KaplanMeier(reversed, confidence: SurvivalConfidence(type: .plain))
        reverseKaplanMeierMedian = curve.median.estimate
        survivors = Self.survivors(counts.lazy.map { ($0.time, $0.censored) }, count: counts.reduce(0) { $0 + $1.censored })
    }

    /// The censored subjects' median (R's `median`), minimum and maximum, from runs of their times
    /// in ascending order (a time and how many were censored at it; `count` in all); `nil` when
    /// there are none.
    static func survivors(_ runs: some Sequence<(Double, Int)>, count: Int) -> Survivors? {
        guard count > 0 else { return nil }
        // The middle ranks (0-based) of the sorted times: one for an odd count, two for an even.
        let lowRank = (count - 1) / 2
        let highRank = count / 2
        var seen = 0
        var first: Double? = nil
        var last = 0.0
        var low = 0.0
        var high = 0.0
        for (time, censored) in runs where censored > 0 {
            if first == nil { first = time }
            if seen <= lowRank && lowRank < seen + censored { low = time }
            if seen <= highRank && highRank < seen + censored { high = time }
            seen += censored
            last = time
        }
        let median = count % 2 == 1 ? low : (low + high) / 2
        return Survivors(count: count, median: median, minimum: first ?? last, maximum: last)
    }
}

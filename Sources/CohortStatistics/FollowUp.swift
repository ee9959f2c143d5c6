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
        // Survivors' follow-up, already in ascending order.
        var alive: [Double] = []
        for k in 0..<data.count where !data.sortedEvent[k] { alive.append(data.sortedTime[k]) }
        if let first = alive.first, let last = alive.last {
            survivors = Survivors(count: alive.count, median: ContinuousSummary.median(sorted: alive), minimum: first, maximum: last)
        } else {
            survivors = nil
        }
    }
}

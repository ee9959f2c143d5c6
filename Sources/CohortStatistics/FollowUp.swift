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
        let reversed = try SurvivalData(time: data.time, event: data.event.map { !$0 })
        let curve = try KaplanMeier(reversed.sorted(), confidence: SurvivalConfidence(type: .plain))
        reverseKaplanMeierMedian = curve.median.estimate
        var alive: [Double] = []
        for i in 0..<data.count where !data.event[i] { alive.append(data.time[i]) }
        let summary = ContinuousSummary(alive)
        if let median = summary.median, let minimum = summary.minimum, let maximum = summary.maximum {
            survivors = Survivors(count: alive.count, median: median, minimum: minimum, maximum: maximum)
        } else {
            survivors = nil
        }
    }
}

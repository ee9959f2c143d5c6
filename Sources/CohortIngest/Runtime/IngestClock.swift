/// The daemon's sense of time: elapsed time since an origin, and sleeping. Services and
/// journeys take it as a parameter so that tests drive time by hand (`ManualClock` in
/// CohortIngestTesting) instead of sleeping.
///
/// Rules: `now` never decreases; `sleep(for:)` returns once `now` has advanced by at least the
/// duration, or throws `CancellationError` when the task is cancelled.
public protocol IngestClock: Sendable {
    /// Time elapsed since the clock's origin.
    var now: Duration { get }
    /// Suspends for `duration` (of this clock's time).
    func sleep(for duration: Duration) async throws
}

/// The real clock: `ContinuousClock` (monotonic, counts time asleep).
public struct SystemClock: IngestClock {
    private let origin = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - origin }

    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// One file's way from the drop directory to its results folder or its failure record, as a
/// value-type state machine: it is told what happened and answers with the next action. It does
/// no I/O; a ``JourneyRunner`` performs the actions and reports back.
///
/// Rules (each checked by `IngestJourneyTests`):
/// 1. The steps run in order: claim, inspect, read, journal the attempt, analyse, publish,
///    journal the run, archive. A duplicate (content already analysed by this pipeline version)
///    goes from the attempt straight to archiving, as skipped.
/// 2. A transient error (``IngestError/isTransient``) waits with exponential back-off (from
///    ``Backoff/initial`` doubling to ``Backoff/maximum``) and then retries the step that failed,
///    never an earlier one; a success resets the back-off.
/// 3. A deterministic error before publishing fails the file: the next action records the
///    failure (error file, move to `failed/`, journal), and the journey ends failed.
/// 4. Once the run folder is published, nothing fails the file: errors of the later steps
///    (journaling the run, archiving) are retried with back-off, however they are classified.
/// 5. A claim that finds the entry gone or replaced ends the journey without a failure
///    (``Ending/notTaken``); the scanner sees the entry again if it is still there.
/// 6. When recording a failure itself fails deterministically, the journey ends
///    ``Ending/abandoned``: the file stays in `processing/` and the next start reconciles it.
public struct IngestJourney: Sendable, Hashable {
    /// The steps of a journey, in order.
    public enum Step: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Journal the claim and move the entry into `processing/`.
        case claim
        /// Check the entry's kind, links, size, pipeline and memory.
        case inspect
        /// Read the file once: hash, parse, derive, filter.
        case read
        /// Journal the digest and count the attempt; find duplicates.
        case journalAttempt = "journal_attempt"
        case analyse
        /// Write the run folder and rename it into `results/`.
        case publish
        /// Journal the run and its analyses.
        case journalRun = "journal_run"
        /// Move the input to the archive and journal its final state.
        case archive
        /// Write the error file, move the input to `failed/` and journal the failure.
        case recordFailure = "record_failure"

        public static func < (a: Step, b: Step) -> Bool {
            let order = allCases
            return order.firstIndex(of: a) ?? 0 < order.firstIndex(of: b) ?? 0
        }
    }

    /// What the runner should do next.
    public enum Action: Sendable, Hashable {
        case perform(Step)
        /// Wait, then perform the step again.
        case wait(Duration, then: Step)
        case finish(Ending)
    }

    /// How a journey ended.
    public enum Ending: Sendable, Hashable {
        case archived
        case skipped
        case failed(kind: String)
        case notTaken
        case abandoned
        /// The daemon stopped while the journey waited to retry a step: the file stays where it
        /// is and the next start resumes it.
        case postponed
    }

    /// What the runner reports after performing a step.
    public enum Event: Sendable, Hashable {
        case completed(Step)
        /// The attempt's journal found the same content already analysed.
        case duplicate
        case failed(Step, IngestError)
    }

    /// Back-off of retried steps.
    public enum Backoff {
        public static let initial: Duration = .milliseconds(500)
        public static let maximum: Duration = .seconds(60)

        /// The wait before retry number `n` (1-based).
        public static func delay(retry n: Int) -> Duration {
            var delay = initial
            for _ in 1..<max(1, n) where delay < maximum { delay *= 2 }
            return min(delay, maximum)
        }
    }

    /// The step in progress (or last performed).
    public private(set) var step: Step
    /// Consecutive failures of the current step.
    public private(set) var retries = 0
    /// The error that fails the file, once there is one.
    public private(set) var failure: IngestError?
    /// Whether the content was found already analysed.
    public private(set) var isDuplicate = false
    /// Whether the run folder is published (from then on nothing fails the file).
    public private(set) var isPublished = false
    /// How it ended, once it has.
    public private(set) var ending: Ending?

    /// A journey that starts at `step`: `.claim` for a new file; a later step when a restart
    /// resumes a file the journal knows (e.g. `.inspect` for a file left in `processing/`,
    /// `.archive` for a published one).
    public init(from step: Step = .claim) {
        self.step = step
        isPublished = step > .publish && step != .recordFailure
    }

    /// The first action.
    public func start() -> Action { .perform(step) }

    /// The action after `event`.
    public mutating func handle(_ event: Event) -> Action {
        guard ending == nil else { return .finish(ending ?? .abandoned) }
        switch event {
        case .duplicate:
            retries = 0
            isDuplicate = true
            return go(to: .archive)
        case .completed(let done):
            retries = 0
            switch done {
            case .claim: return go(to: .inspect)
            case .inspect: return go(to: .read)
            case .read: return go(to: .journalAttempt)
            case .journalAttempt: return go(to: .analyse)
            case .analyse: return go(to: .publish)
            case .publish:
                isPublished = true
                return go(to: .journalRun)
            case .journalRun: return go(to: .archive)
            case .archive: return end(isDuplicate ? .skipped : .archived)
            case .recordFailure: return end(.failed(kind: failure?.kind ?? IngestError.Kind.io.rawValue))
            }
        case .failed(let failed, let error):
            if error.isTransient || (isPublished && failed != .recordFailure) {
                retries += 1
                step = failed
                return .wait(Backoff.delay(retry: retries), then: failed)
            }
            retries = 0
            switch failed {
            case .claim:
                return end(.notTaken)
            case .recordFailure:
                return end(.abandoned)
            default:
                failure = error
                return go(to: .recordFailure)
            }
        }
    }

    private mutating func go(to next: Step) -> Action {
        step = next
        return .perform(next)
    }

    private mutating func end(_ how: Ending) -> Action {
        ending = how
        return .finish(how)
    }
}

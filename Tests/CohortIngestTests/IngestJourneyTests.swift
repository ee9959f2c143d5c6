import CohortIngest
import Testing

/// The per-file state machine's rules (see ``IngestJourney``), without any I/O.
@Suite struct IngestJourneyTests {
    let transient = IngestError(.io, "no space", transient: true, noSpace: true)
    let deterministic = IngestError(.noPipeline, "no pipeline")

    @Test func theStepsRunInOrderToTheArchive() {
        var journey = IngestJourney()
        var action = journey.start()
        var performed: [IngestJourney.Step] = []
        while case .perform(let step) = action {
            performed.append(step)
            action = journey.handle(.completed(step))
        }
        #expect(performed == [.claim, .inspect, .read, .journalAttempt, .analyse, .publish, .journalRun, .archive])
        #expect(action == .finish(.archived))
    }

    @Test func aDuplicateGoesFromTheAttemptToTheArchiveAsSkipped() {
        var journey = IngestJourney(from: .journalAttempt)
        #expect(journey.handle(.duplicate) == .perform(.archive))
        #expect(journey.handle(.completed(.archive)) == .finish(.skipped))
    }

    @Test(arguments: IngestJourney.Step.allCases)
    func aTransientErrorRetriesTheSameStepWithGrowingBackoff(step: IngestJourney.Step) {
        var journey = IngestJourney(from: step)
        var delays: [Duration] = []
        for _ in 0..<10 {
            guard case .wait(let delay, let then) = journey.handle(.failed(step, transient)) else {
                Issue.record("a transient error of \(step) did not wait")
                return
            }
            #expect(then == step)
            delays.append(delay)
        }
        #expect(delays.first == IngestJourney.Backoff.initial)
        #expect(delays[1] == IngestJourney.Backoff.initial * 2)
        #expect(delays.last == IngestJourney.Backoff.maximum)
        #expect(zip(delays, delays.dropFirst()).allSatisfy { $0 <= $1 })
        // A success resets the back-off.
        _ = journey.handle(.completed(step))
        if case .wait(let delay, _) = journey.handle(.failed(journey.step, transient)) { #expect(delay == IngestJourney.Backoff.initial) }
    }

    @Test(arguments: [IngestJourney.Step.inspect, .read, .journalAttempt, .analyse, .publish])
    func aDeterministicErrorBeforePublishingFailsTheFile(step: IngestJourney.Step) {
        var journey = IngestJourney(from: step)
        #expect(journey.handle(.failed(step, deterministic)) == .perform(.recordFailure))
        #expect(journey.failure == deterministic)
        #expect(journey.handle(.completed(.recordFailure)) == .finish(.failed(kind: "no_pipeline")))
    }

    @Test(arguments: [IngestJourney.Step.journalRun, .archive])
    func afterPublishingNothingFailsTheFile(step: IngestJourney.Step) {
        var journey = IngestJourney(from: .publish)
        var action = journey.handle(.completed(.publish))
        #expect(journey.isPublished)
        if step == .archive { action = journey.handle(.completed(.journalRun)) }
        #expect(action == .perform(step))
        guard case .wait(_, let then) = journey.handle(.failed(step, deterministic)) else {
            Issue.record("a published run's \(step) error failed the file")
            return
        }
        #expect(then == step)
        #expect(journey.failure == nil)
    }

    @Test func aResumedPublishedJourneyIsPublished() {
        #expect(IngestJourney(from: .archive).isPublished)
        #expect(IngestJourney(from: .journalRun).isPublished)
        #expect(!IngestJourney(from: .inspect).isPublished)
        #expect(!IngestJourney(from: .recordFailure).isPublished)
    }

    @Test func aClaimOfAGoneEntryIsNotAFailure() {
        var journey = IngestJourney()
        #expect(journey.handle(.failed(.claim, IngestError(.gone, "gone"))) == .finish(.notTaken))
        #expect(journey.failure == nil)
    }

    @Test func aFailureThatCannotBeRecordedIsAbandoned() {
        var journey = IngestJourney(from: .read)
        _ = journey.handle(.failed(.read, deterministic))
        #expect(journey.handle(.failed(.recordFailure, IngestError(.io, "read-only filesystem"))) == .finish(.abandoned))
        // …while a transient one is retried.
        var other = IngestJourney(from: .read)
        _ = other.handle(.failed(.read, deterministic))
        #expect(other.handle(.failed(.recordFailure, transient)) == .wait(IngestJourney.Backoff.initial, then: .recordFailure))
    }

    @Test func anEndedJourneyStaysEnded() {
        var journey = IngestJourney(from: .archive)
        #expect(journey.handle(.completed(.archive)) == .finish(.archived))
        #expect(journey.handle(.completed(.claim)) == .finish(.archived))
        #expect(journey.ending == .archived)
    }
}

import CohortIngest
import CohortIngestTesting
import CohortPipeline
import CohortStore
import Foundation
import Synchronization
import SystemPackage
import Testing

/// One file's journey on in-memory files, a manual clock and a real journal: every way a file
/// can end, and the retries that must not end it.
@Suite struct JourneyRunnerTests {
    @Test func aGoodFileIsPublishedJournaledAndArchived() async throws {
        let site = try FakeSite()
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let (ending, runner) = await site.runJourney("km_1.csv", identity: identity)
        #expect(ending == .archived)
        #expect(site.files.runFolderCount == 1 && site.files.archivedCount == 1 && site.files.processingCount == 0)
        let input = try #require(try site.journal.input(runID: runner.file.runID))
        #expect(input.state == .archived && input.attempts == 1 && input.pipeline == "km-test")
        let run = try #require(try site.journal.runs().first)
        #expect(run.status == "ok")
        #expect(try site.journal.analyses(runID: run.runID).map(\.id) == ["overall", "bysex"])
    }

    @Test func aBadValueFailsTheFileAndOnlyItsErrorFileQuotesTheValue() async throws {
        let site = try FakeSite()
        let identity = site.files.drop("km_1.csv", Fixture.bad)
        let (ending, runner) = await site.runJourney("km_1.csv", identity: identity)
        #expect(ending == .failed(kind: "bad_value"))
        #expect(site.files.failedCount == 1)
        let errorFile = String(decoding: try #require(site.files.errorFile(of: runner.file.stored)), as: UTF8.self)
        #expect(errorFile.contains("\"kind\": \"bad_value\"") && errorFile.contains("abc"))
        let input = try #require(try site.journal.input(runID: runner.file.runID))
        #expect(input.state == .failed)
        #expect(input.error?.contains("bad_value at line 3") == true)
        #expect(input.error?.contains("abc") == false)
    }

    @Test func aFullDiskIsRetriedFromThePublishStepWithoutCountingAttempts() async throws {
        let site = try FakeSite()
        site.files.inject(IngestError(.io, "publishing: ENOSPC", transient: true, noSpace: true), into: .publish, times: 3)
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let (ending, runner) = await site.runJourney("km_1.csv", identity: identity)
        #expect(ending == .archived)
        #expect(site.files.count(.publish) == 4)
        #expect(site.files.count(.read) == 1)  // not read again: resumed from the step that failed
        #expect(try site.journal.input(runID: runner.file.runID)?.attempts == 1)
        #expect(await site.state.concerns[.noSpace] == nil)  // cleared once a write succeeded
        #expect(site.clock.now >= IngestJourney.Backoff.initial * 7)  // 0.5 + 1 + 2 s of back-off at least
    }

    @Test func aShutdownPostponesAJourneyWaitingToRetryWithoutWaitingOutItsBackoff() async throws {
        let site = try FakeSite()
        site.files.inject(IngestError(.io, "publishing: ENOSPC", transient: true, noSpace: true), into: .publish, times: 100)
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let environment = site.environment
        let journey = Task {
            var runner = JourneyRunner(environment: environment, file: .init(runID: RunInfo.newID(), path: "km_1.csv", identity: identity))
            return await runner.run()
        }
        // Let it fail a few times (back-off 0.5, 1, 2, 4 s…), then stop while it waits.
        for _ in 0..<6 {
            await site.clock.waitForSleepers(1)
            site.clock.advance(by: .seconds(1))
        }
        await site.clock.waitForSleepers(1)
        await site.state.beginStopping()
        let before = site.clock.now
        site.clock.advance(by: .seconds(1))
        #expect(await journey.value == .postponed)
        #expect(site.clock.now - before <= .seconds(1))
        #expect(site.files.processingCount == 1 && site.files.failedCount == 0)
    }

    @Test func aPublishedRunWhoseJournalWriteFailsIsRecordedNotFailed() async throws {
        var site = try FakeSite()
        let failures = FailureBudget(3)
        site.environment.journalFault = { step in
            step == .journalRun && failures.take() ? IngestError(.io, "journaling the run: SQLite error 13") : nil
        }
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let (ending, runner) = await site.runJourney("km_1.csv", identity: identity)
        #expect(ending == .archived)
        #expect(site.files.failedCount == 0 && site.files.runFolderCount == 1)
        #expect(try site.journal.runs().count == 1)
        #expect(try site.journal.input(runID: runner.file.runID)?.state == .archived)
    }

    @Test func linksFIFOsAndHardLinksAreFailedWithoutBeingRead() async throws {
        let site = try FakeSite()
        for (name, kind, links, expected) in [
            ("km_link.csv", FileIdentity.Kind.symbolicLink, 1, "unsupported_file"), ("km_fifo.csv", .fifo, 1, "unsupported_file"),
            ("km_hard.csv", .regular, 2, "hard_link"),
        ] {
            let identity = site.files.drop(FilePath(name), Fixture.csv, kind: kind, links: links)
            let (ending, _) = await site.runJourney(FilePath(name), identity: identity)
            #expect(ending == .failed(kind: expected), "\(name)")
        }
        #expect(site.files.count(.read) == 0)
        #expect(site.files.failedCount == 3)
    }

    @Test func hardLinksAreAnalysedWhenTheConfigurationAcceptsThem() async throws {
        var options = IngestOptions(settle: 0)
        options.acceptHardLinks = true
        let site = try FakeSite(options: options)
        let identity = site.files.drop("km_1.csv", Fixture.csv, links: 2)
        #expect(await site.runJourney("km_1.csv", identity: identity).0 == .archived)
    }

    @Test func aFileTooLargeForTheMemoryBudgetFailsAtOnce() async throws {
        let site = try FakeSite(memoryBudget: 1 << 20)
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let (ending, runner) = await site.runJourney("km_1.csv", identity: identity)
        #expect(ending == .failed(kind: "too_large_for_memory"))
        #expect(site.files.count(.read) == 0)
        let errorFile = String(decoding: try #require(site.files.errorFile(of: runner.file.stored)), as: UTF8.self)
        #expect(errorFile.contains("memory_budget"))
        #expect(await site.state.memoryReserved == 0)
    }

    @Test func aFileOverMaxFileSizeOrWithoutPipelineFails() async throws {
        var options = IngestOptions(settle: 0)
        options.maxFileSize = 10
        let site = try FakeSite(options: options)
        let big = site.files.drop("km_1.csv", Fixture.csv)
        #expect(await site.runJourney("km_1.csv", identity: big).0 == .failed(kind: "too_large"))
        let other = site.files.drop("other.csv", "x")
        #expect(await site.runJourney("other.csv", identity: other).0 == .failed(kind: "no_pipeline"))
    }

    @Test func aFileThatChangedWhileReadFails() async throws {
        let site = try FakeSite()
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let runID = RunInfo.newID()
        site.files.changeWhileReading(StoredName(runID: runID, relativePath: "km_1.csv"))
        let (ending, _) = await site.runJourney("km_1.csv", identity: identity, runID: runID)
        #expect(ending == .failed(kind: "changed_during_read"))
        #expect(await site.state.memoryReserved == 0)
    }

    @Test func duplicateContentIsSkipped() async throws {
        let site = try FakeSite()
        let first = site.files.drop("km_1.csv", Fixture.csv)
        #expect(await site.runJourney("km_1.csv", identity: first).0 == .archived)
        let second = site.files.drop("km_2.csv", Fixture.csv)
        let (ending, runner) = await site.runJourney("km_2.csv", identity: second)
        #expect(ending == .skipped)
        #expect(site.files.runFolderCount == 1 && site.files.archivedCount == 2)
        #expect(try site.journal.input(runID: runner.file.runID)?.state == .skipped)
    }

    @Test func anEntryGoneBeforeItsClaimLeavesNoJournalRow() async throws {
        let site = try FakeSite()
        let identity = site.files.drop("km_1.csv", Fixture.csv)
        let replaced = site.files.drop("km_1.csv", Fixture.csv)  // a new inode under the same name
        #expect(identity != replaced)
        let (ending, runner) = await site.runJourney("km_1.csv", identity: identity)
        #expect(ending == .notTaken)
        #expect(try site.journal.input(runID: runner.file.runID) == nil)
        #expect(site.files.dropPaths == ["km_1.csv"])
    }

    @Test func aFileThatKeepsCrashingTheDaemonIsFailed() async throws {
        let site = try FakeSite()
        let runID = RunInfo.newID()
        let stored = StoredName(runID: runID, relativePath: "km_1.csv")
        site.files.addClaimed(stored, Fixture.csv)
        try site.journal.recordClaim(runID: runID, name: "km_1.csv")
        for _ in 0..<3 { try site.journal.recordAttempt(runID: runID, sha256: "x", bytes: 1, pipeline: "km-test", pipelineSHA256: "y") }
        var runner = JourneyRunner(environment: site.environment, file: .init(runID: runID, path: "km_1.csv", identity: nil), from: .inspect)
        #expect(await runner.run() == .failed(kind: "crashed"))
    }
}

/// A count of faults to inject, shared with a `@Sendable` closure.
final class FailureBudget: Sendable {
    private let remaining: Mutex<Int>
    init(_ n: Int) { remaining = Mutex(n) }
    func take() -> Bool {
        remaining.withLock { n in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
    }
}

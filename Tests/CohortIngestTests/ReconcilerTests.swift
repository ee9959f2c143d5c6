import CohortIngest
import CohortIngestTesting
import CohortPipeline
import CohortStore
import Foundation
import Logging
import SystemPackage
import Testing

/// Start-up reconciliation of the journal with the state tree (see ``Reconciler``).
@Suite struct ReconcilerTests {
    func reconcile(_ site: FakeSite) throws -> (resumed: [ResumedJourney], report: Reconciler.Report) {
        try Reconciler(files: site.files, journal: site.journal, logger: Logger(label: "test")).reconcile()
    }

    /// A run folder as a finished run of `runID` on `text` left it.
    func publishedFolder(_ site: FakeSite, runID: String, text: String = Fixture.csv) async throws {
        let loaded = try #require(await site.state.pipelines.pipelines.first)
        let info = RunInfo(id: runID, fileName: "km_1.csv")
        let outcome = await PipelineRunner(loaded).run(Data(text.utf8), info: info)
        let files = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info)
        site.files.addRunFolder(pipeline: loaded.pipeline.name, runID: runID, files: Dictionary(files.map { ($0.name, $0.bytes) }) { a, _ in a })
    }

    @Test func eachJournaledStateResumesAtItsStep() async throws {
        let site = try FakeSite()
        // Published and journaled, input still in processing: archive it.
        try site.journal.recordClaim(runID: "r1", name: "km_1.csv")
        try site.journal.recordState(runID: "r1", .published)
        site.files.addClaimed(StoredName(runID: "r1", relativePath: "km_1.csv"), Fixture.csv)
        // Claimed, its run folder published but not journaled: journal the run.
        try site.journal.recordClaim(runID: "r2", name: "km_2.csv")
        try site.journal.recordAttempt(runID: "r2", sha256: "s", bytes: 1, pipeline: "km-test", pipelineSHA256: "p")
        try await publishedFolder(site, runID: "r2")
        site.files.addClaimed(StoredName(runID: "r2", relativePath: "km_2.csv"), Fixture.csv)
        // Claimed, input in processing: inspect it again (it is analysed as ordinary work).
        try site.journal.recordClaim(runID: "r3", name: "sub/km_3.csv")
        site.files.addClaimed(StoredName(runID: "r3", relativePath: "sub/km_3.csv"), Fixture.csv)
        // Claimed but never moved: forgotten.
        try site.journal.recordClaim(runID: "r4", name: "km_4.csv")
        // Claimed, hashed, and gone: failed.
        try site.journal.recordClaim(runID: "r5", name: "km_5.csv")
        try site.journal.recordAttempt(runID: "r5", sha256: "s5", bytes: 1, pipeline: "km-test", pipelineSHA256: "p")
        site.files.addPartialWork()

        let (resumed, report) = try reconcile(site)
        let steps = Dictionary(uniqueKeysWithValues: resumed.map { ($0.file.runID, $0.step) })
        #expect(steps == ["r1": .archive, "r2": .journalRun, "r3": .inspect])
        #expect(resumed.first { $0.file.runID == "r3" }?.file.path == "sub/km_3.csv")
        #expect(try site.journal.input(runID: "r4") == nil)
        #expect(try site.journal.input(runID: "r5")?.state == .failed)
        #expect(report.partialFolders == 1 && !report.journalLost)
    }

    @Test func aLostJournalIsRebuiltFromTheTreeAndKnownContentIsNotAnalysedAgain() async throws {
        let site = try FakeSite()
        // What the tree holds after the journal was deleted: a published run (input archived
        // already) and a file in processing with the same content as that run.
        try await publishedFolder(site, runID: "20261201T000000000Z-00000001")
        let stranded = StoredName(runID: "20261201T000000001Z-00000002", relativePath: "km_again.csv")
        site.files.addClaimed(stranded, Fixture.csv)
        let (resumed, report) = try reconcile(site)
        #expect(report.journalLost)
        #expect(report.runFoldersJournaled == 1 && report.adopted == 1)
        #expect(try site.journal.runs().count == 1)
        let journey = try #require(resumed.first)
        #expect(journey.file.runID == stranded.runID && journey.step == .inspect)
        #expect(journey.file.stored == stranded)
        // Run the resumed journey: its content is known, so it is skipped, not analysed again.
        var runner = JourneyRunner(environment: site.environment, file: journey.file, from: journey.step)
        #expect(await runner.run() == .skipped)
        #expect(site.files.runFolderCount == 1)
    }

    @Test func aCleanTreeNeedsNothing() throws {
        let site = try FakeSite()
        let (resumed, report) = try reconcile(site)
        #expect(resumed.isEmpty && report == Reconciler.Report())
    }
}

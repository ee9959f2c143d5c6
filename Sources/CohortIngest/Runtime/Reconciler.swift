import CohortJSON
import CohortPipeline
import CohortPluginAPI
public import CohortStore
public import Logging
public import SystemPackage

/// A journey to resume at start: a file the journal (or the state tree) knows and that did not
/// reach its end.
public struct ResumedJourney: Sendable {
    public var file: JourneyRunner.File
    public var step: IngestJourney.Step

    public init(file: JourneyRunner.File, step: IngestJourney.Step) {
        self.file = file
        self.step = step
    }
}

/// Reconciles the journal with the state tree at start, before READY=1: every entry of
/// `processing/` and `work/` and every run folder is accounted for, and what must run again is
/// returned as journeys to queue (ordinary work after READY=1, never analysed here).
///
/// Rules (checked by `ReconcilerTests`):
/// 1. Partial run folders in `work/` are removed.
/// 2. A journaled claim whose run folder is published resumes at journaling the run (it is never
///    analysed again); one whose input is still in `processing/` resumes at inspection; one whose
///    input is already in `failed/` or the archive is recorded so.
/// 3. A journaled claim whose entry never left the drop directory is forgotten (the scanner takes
///    it afresh); one whose input is nowhere is recorded failed.
/// 4. A file in `processing/` the journal does not know (a lost journal) is journaled again under
///    the run id of its stored name and resumed.
/// 5. A run folder the journal does not know is journaled from its results.json, so that its
///    content's digest is known and a duplicate of it is not analysed again.
/// 6. An empty journal beside a non-empty state tree is logged at critical level.
public struct Reconciler: Sendable {
    public let files: any IngestFileSystem
    public let journal: Store
    public let logger: Logger

    public init(files: any IngestFileSystem, journal: Store, logger: Logger) {
        self.files = files
        self.journal = journal
        self.logger = logger
    }

    /// What reconciliation found and did (counts for the log).
    public struct Report: Sendable, Hashable {
        public var partialFolders = 0
        public var resumed = 0
        public var recorded = 0
        public var forgotten = 0
        public var adopted = 0
        public var runFoldersJournaled = 0
        public var journalLost = false

        public init() {}
    }

    public func reconcile() throws -> (resumed: [ResumedJourney], report: Report) {
        var report = Report()
        var resumed: [ResumedJourney] = []
        report.partialFolders = files.clearWork()
        let processing = files.processingNames()
        let folders = files.runFolders()
        if try journal.isEmpty() && (!processing.isEmpty || !folders.isEmpty) {
            report.journalLost = true
            logger.critical(
                "the journal is empty but the state tree is not: it was lost or truncated; reconciling from the tree",
                metadata: ["processing": "\(processing.count)", "run_folders": "\(folders.count)"])
        }
        var handled = Set<String>()
        for input in try journal.unfinishedInputs() {
            handled.insert(input.runID)
            let path = EscapedName.path(of: input.name) ?? FilePath("unnamed")
            var file = JourneyRunner.File(runID: input.runID, path: path, identity: nil)
            switch input.state {
            case .published:
                resumed.append(ResumedJourney(file: file, step: .archive))
            case .claimed:
                if let pipeline = input.pipeline, files.runFolder(pipeline: pipeline, runID: input.runID) != nil {
                    resumed.append(ResumedJourney(file: file, step: .journalRun))
                } else if let identity = files.claimedIdentity(file.stored) {
                    file.identity = identity
                    resumed.append(ResumedJourney(file: file, step: .inspect))
                } else if files.isFailed(file.stored) {
                    try journal.recordState(runID: input.runID, .failed, error: input.error ?? "failed before the journal was updated")
                    report.recorded += 1
                } else if files.isArchived(file.stored) {
                    try journal.recordState(runID: input.runID, .archived)
                    report.recorded += 1
                } else if input.sha256 == nil {
                    // Journaled, never moved: the entry (if still in the drop directory) is taken afresh.
                    try journal.forgetClaim(runID: input.runID)
                    report.forgotten += 1
                } else {
                    try journal.recordState(runID: input.runID, .failed, error: "io: the claimed file disappeared from processing")
                    report.recorded += 1
                }
            default:
                break
            }
        }
        let known = try journal.knownRuns()
        // Run folders the journal does not know: journal them from their results.json.
        var folderOf: [String: String] = [:]
        for (pipeline, runID) in folders {
            folderOf[runID] = pipeline
            guard known[runID] == nil, let bytes = files.resultsDocument(pipeline: pipeline, runID: runID),
                let document = try? JSONParser.parse(bytes), let result = try? RunResult(recordedIn: document),
                let folder = files.runFolder(pipeline: pipeline, runID: runID)
            else { continue }
            try journal.recordClaim(runID: runID, name: EscapedName.escape(Array(result.input.file.utf8)), received: result.started)
            try journal.recordAttempt(
                runID: runID, sha256: result.input.sha256, bytes: Int64(result.input.bytes), pipeline: result.pipeline,
                pipelineSHA256: result.pipelineSHA256)
            let inProcessing = processing.contains { $0.runID == runID }
            try journal.recordPublished(
                Store.Run(result, folder: folder), analyses: Store.Analysis.rows(of: result), finalState: inProcessing ? .published : .archived)
            report.runFoldersJournaled += 1
        }
        // Files in processing the journal does not know.
        for stored in processing {
            guard let runID = stored.runID, known[runID] == nil, !handled.contains(runID) else { continue }
            let base = Array(stored.bytes.dropFirst(runID.utf8.count + 2))
            let path = EscapedName.path(of: EscapedName.escape(base)) ?? FilePath("unnamed")
            var file = JourneyRunner.File(runID: runID, path: path, identity: files.claimedIdentity(stored))
            file.storedOverride = stored
            if folderOf[runID] != nil {
                // Its run folder was journaled just above (as published): archive it.
                resumed.append(ResumedJourney(file: file, step: .archive))
            } else {
                try journal.recordClaim(runID: runID, name: EscapedName.escape(path))
                resumed.append(ResumedJourney(file: file, step: .inspect))
            }
            report.adopted += 1
        }
        report.resumed = resumed.count
        if report != Report() {
            logger.notice(
                "reconciled the journal with the state tree",
                metadata: [
                    "resumed": "\(report.resumed)", "recorded": "\(report.recorded)", "forgotten": "\(report.forgotten)",
                    "adopted": "\(report.adopted)", "run_folders_journaled": "\(report.runFoldersJournaled)",
                    "partial_folders_removed": "\(report.partialFolders)",
                ])
        }
        return (resumed, report)
    }
}

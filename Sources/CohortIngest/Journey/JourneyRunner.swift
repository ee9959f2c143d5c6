import CohortData
import CohortJSON
public import CohortPipeline
import CohortPluginAPI
public import CohortStore
import Foundation
public import Logging
public import SystemPackage

/// What a journey needs from the daemon: the file actions, the journal, the shared state, the
/// clock and the settings. One value, shared by every journey.
public struct IngestEnvironment: Sendable {
    public var files: any IngestFileSystem
    public var journal: Store
    public var state: IngestState
    public var clock: any IngestClock
    public var options: IngestOptions
    public var logger: Logger
    /// Estimated peak memory of `runner`'s run on a file of `bytes` bytes whose records average
    /// `bytesPerRecord` (when a sample tells).
    public var memoryEstimate: @Sendable (_ runner: PipelineRunner, _ bytes: Int64, _ bytesPerRecord: Double?) -> Int64
    /// A test seam: an error to raise instead of the journal write of a step (a full or failing
    /// database), or `nil` to write.
    public var journalFault: (@Sendable (IngestJourney.Step) -> IngestError?)?

    public init(
        files: any IngestFileSystem, journal: Store, state: IngestState, clock: any IngestClock, options: IngestOptions, logger: Logger,
        memoryEstimate: @escaping @Sendable (PipelineRunner, Int64, Double?) -> Int64 = { runner, bytes, perRecord in
            Int64(runner.estimatedPeakBytes(fileSize: Int(bytes), bytesPerRecord: perRecord))
        }
    ) {
        self.files = files
        self.journal = journal
        self.state = state
        self.clock = clock
        self.options = options
        self.logger = logger
        self.memoryEstimate = memoryEstimate
    }
}

/// Performs the actions of one ``IngestJourney`` and reports each outcome back to it, until the
/// journey ends. All I/O of a file's way through the daemon happens here; the decisions are the
/// journey's.
public struct JourneyRunner: Sendable {
    /// The file as it goes: what is known of it after each step.
    public struct File: Sendable {
        public var runID: String
        /// Path below the drop directory (the original name).
        public var path: FilePath
        public var stored: StoredName {
            get { storedOverride ?? StoredName(runID: runID, relativePath: path) }
            set { storedOverride = newValue }
        }
        /// The stored name found on disk, when it is not the one the path gives (a file adopted
        /// from `processing/` after the journal was lost).
        var storedOverride: StoredName?
        /// As listed in the drop directory, then as claimed.
        public var identity: FileIdentity?
        var pipeline: LoadedPipeline?
        var runner: PipelineRunner?
        var sha256: String?
        var input: ReadInput?
        var outcome: RunOutcome?
        var started = Date()
        var folder: String?
        var reservedMemory: Int64 = 0
        var skippedBecause: String?

        public init(runID: String, path: FilePath, identity: FileIdentity?) {
            self.runID = runID
            self.path = path
            self.identity = identity
        }

        /// The escaped original name (journal, error file).
        public var name: String { EscapedName.escape(path) }
    }

    public let environment: IngestEnvironment
    public private(set) var journey: IngestJourney
    public private(set) var file: File

    public init(environment: IngestEnvironment, file: File, from step: IngestJourney.Step = .claim) {
        self.environment = environment
        self.file = file
        journey = IngestJourney(from: step)
    }

    /// Runs the journey to its end.
    public mutating func run() async -> IngestJourney.Ending {
        var action = journey.start()
        while true {
            switch action {
            case .finish(let ending):
                await releaseMemory()
                log(ending)
                return ending
            case .wait(let delay, let step):
                if await environment.state.isStopping {
                    action = .finish(.postponed)
                    continue
                }
                await environment.state.retryingChanged(by: 1)
                // In steps of at most a second, so that a shutdown does not wait out a long back-off.
                var remaining = delay
                while remaining > .zero, await !environment.state.isStopping {
                    let nap = min(remaining, .seconds(1))
                    try? await environment.clock.sleep(for: nap)
                    remaining -= nap
                }
                await environment.state.retryingChanged(by: -1)
                if await environment.state.isStopping {
                    action = .finish(.postponed)
                    continue
                }
                action = await perform(step)
            case .perform(let step):
                action = await perform(step)
            }
        }
    }

    private mutating func perform(_ step: IngestJourney.Step) async -> IngestJourney.Action {
        let event: IngestJourney.Event
        do throws(IngestError) {
            event = try await execute(step)
            if step >= .read || step == .claim { await environment.state.clear(.noSpace) }
        } catch {
            if error.isNoSpace {
                await environment.state.raise(.noSpace, "no space left on the state or results filesystem; new files wait")
            }
            if error.isTransient || journey.isPublished {
                environment.logger.warning(
                    "step failed, will retry",
                    metadata: ["run": "\(file.runID)", "step": "\(step.rawValue)", "error": "\(error.kind)", "retry": "\(journey.retries + 1)"])
            }
            if step == .analyse || step == .read { await releaseMemory() }
            event = .failed(step, error)
        }
        return journey.handle(event)
    }

    private mutating func execute(_ step: IngestJourney.Step) async throws(IngestError) -> IngestJourney.Event {
        switch step {
        case .claim: try claim()
        case .inspect: try await inspect()
        case .read: try read()
        case .journalAttempt: return try await journalAttempt()
        case .analyse: try await analyse()
        case .publish: try publish()
        case .journalRun: try journalRun()
        case .archive: try archive()
        case .recordFailure: try recordFailure()
        }
        return .completed(step)
    }

    // MARK: steps

    private mutating func claim() throws(IngestError) {
        guard let listed = file.identity else { throw IngestError(.gone, "nothing to claim") }
        try journal("journaling the claim") { try $0.recordClaim(runID: file.runID, name: file.name) }
        do {
            file.identity = try environment.files.claim(file.path, expecting: listed, as: file.stored)
        } catch {
            if !error.isTransient { try? environment.journal.forgetClaim(runID: file.runID) }
            throw error
        }
        environment.logger.info("file claimed", metadata: ["run": "\(file.runID)"])
    }

    private mutating func inspect() async throws(IngestError) {
        guard let identity = file.identity ?? environment.files.claimedIdentity(file.stored) else {
            throw IngestError(.unreadable, "the claimed file is no longer in processing")
        }
        file.identity = identity
        guard identity.kind == .regular else {
            throw IngestError(
                .unsupportedFile, "the entry is a \(identity.kind.rawValue); only regular files are analysed (it was not followed or opened)")
        }
        if identity.links > 1 && !environment.options.acceptHardLinks {
            throw IngestError(
                .hardLink, "the file has \(identity.links) hard links; set accept_hard_links: true in the daemon configuration to analyse such files")
        }
        guard identity.size <= environment.options.maxFileSize else {
            throw IngestError(.tooLarge, "the file has \(identity.size) bytes; max_file_size is \(environment.options.maxFileSize)")
        }
        let candidates = await environment.state.pipelines.matching(file.path)
        guard let loaded = candidates.first, candidates.count == 1 else {
            if candidates.isEmpty { throw IngestError(.noPipeline, "no pipeline matches this file name") }
            throw IngestError(
                .ambiguousPipeline, "several pipelines match this file name: \(candidates.map(\.pipeline.name).joined(separator: ", "))")
        }
        file.pipeline = loaded
        // The memory it needs, from its size and the record length of its first 64 KiB; when the
        // analyses side by side would not fit, they run one at a time (less memory, more time).
        var runner = PipelineRunner(loaded)
        runner.drawsFigures = true
        let sample = environment.files.sample(file.stored, count: 1 << 16)
        let perRecord = sample.withUnsafeBytes { CSVReader.bytesPerRecord(sample: $0) }
        let total = await environment.state.memoryTotal
        var estimate = environment.memoryEstimate(runner, identity.size, perRecord)
        if estimate > total {
            runner.maxConcurrentTasks = 1
            estimate = environment.memoryEstimate(runner, identity.size, perRecord)
        }
        guard estimate <= total else {
            throw IngestError(
                .tooLargeForMemory,
                "analysing this file needs an estimated \(estimate >> 20) MiB; the memory budget is \(total >> 20) MiB (memory_budget)")
        }
        file.runner = runner
        await environment.state.reserveMemory(estimate)
        file.reservedMemory = estimate
    }

    private mutating func read() throws(IngestError) {
        guard let identity = file.identity, let runner = file.runner else { throw IngestError(.unreadable, "the file was not inspected") }
        var source = try environment.files.openClaimed(file.stored, expecting: identity)
        // One read: hashed, parsed, derived and filtered from the same bytes.
        let input = runner.read(from: &source)
        if input.complete { file.sha256 = input.sha256 }
        if let failure = input.failure {
            if failure.code == .readFailed { throw IngestError(.io, "reading the file: \(failure.message)", transient: true) }
            throw IngestError(failure)
        }
        file.input = input
    }

    private mutating func journalAttempt() async throws(IngestError) -> IngestJourney.Event {
        guard let loaded = file.pipeline, let sha = file.sha256 else { throw IngestError(.unreadable, "the file was not read") }
        let runID = file.runID
        let bytes = Int64(file.input?.bytes ?? 0)
        let skip = environment.options.skipDuplicates
        let (earlier, attempts) = try journal("journaling the attempt") { store -> (String?, Int) in
            if skip, let earlier = try store.alreadyAnalysed(sha256: sha, pipelineSHA256: loaded.sha256, excluding: runID) {
                try store.recordAttempt(runID: runID, sha256: sha, bytes: bytes, pipeline: loaded.pipeline.name, pipelineSHA256: loaded.sha256)
                return (earlier, 0)
            }
            let n = try store.recordAttempt(runID: runID, sha256: sha, bytes: bytes, pipeline: loaded.pipeline.name, pipelineSHA256: loaded.sha256)
            return (nil, n)
        }
        if let earlier {
            file.skippedBecause = "same content already analysed by this pipeline version in run \(earlier)"
            file.input = nil
            await releaseMemory()
            environment.logger.info(
                "duplicate skipped", metadata: ["run": "\(runID)", "pipeline": "\(loaded.pipeline.name)", "sha256": "\(sha.prefix(12))"])
            return .duplicate
        }
        guard attempts <= environment.options.maximumAttempts else {
            throw IngestError(.crashed, "the analysis crashed or hung \(attempts - 1) times on this file")
        }
        return .completed(.journalAttempt)
    }

    private mutating func analyse() async throws(IngestError) {
        guard let runner = file.runner, let input = file.input else { throw IngestError(.unreadable, "the file was not read") }
        let info = RunInfo(id: file.runID, fileName: EscapedName.escape(file.path.lastComponent.map { FilePath(root: nil, [$0]) } ?? file.path))
        file.started = info.started
        let outcome = await runner.run(input, info: info)
        file.input = nil
        await releaseMemory()
        if let failure = outcome.failure { throw IngestError(failure) }
        environment.logger.debug("run phases", metadata: Self.phaseMetadata(outcome.phases, runID: file.runID))
        file.outcome = outcome
    }

    private mutating func publish() throws(IngestError) {
        guard let loaded = file.pipeline, let outcome = file.outcome else { throw IngestError(.io, "nothing to publish") }
        let info = RunInfo(id: file.runID, fileName: outcome.result.input.file, started: outcome.result.started)
        let files = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info)
        file.folder = try environment.files.publish(files, pipeline: loaded.pipeline.name, runID: file.runID)
    }

    private mutating func journalRun() throws(IngestError) {
        let result: RunResult
        let folder: String
        if let outcome = file.outcome, let published = file.folder {
            result = outcome.result
            folder = published
        } else {
            // Resumed after a restart: the run folder is the record.
            guard let input = try? environment.journal.input(runID: file.runID), let pipeline = input.pipeline,
                let published = environment.files.runFolder(pipeline: pipeline, runID: file.runID),
                let bytes = environment.files.resultsDocument(pipeline: pipeline, runID: file.runID),
                let document = try? JSONParser.parse(bytes), let recorded = try? RunResult(recordedIn: document)
            else {
                try journal("journaling the run") {
                    try $0.recordState(runID: file.runID, .published, error: "published, but its results.json could not be read back")
                }
                return
            }
            result = recorded
            folder = published
        }
        try journal("journaling the run") {
            try $0.recordPublished(Store.Run(result, folder: folder), analyses: Store.Analysis.rows(of: result), finalState: .published)
        }
        if let outcome = file.outcome {
            environment.logger.info(
                "run published",
                metadata: [
                    "run": "\(file.runID)", "pipeline": "\(result.pipeline)", "sha256": "\(result.input.sha256.prefix(12))",
                    "status": "\(outcome.status.rawValue)", "analyses": "\(result.analyses.count)",
                    "failed_analyses": "\(outcome.analysisErrors.count)",
                    "analysis_errors": "\(outcome.analysisErrors.map { "\($0.id):\($0.error.code)" }.joined(separator: ","))",
                ])
        }
        file.outcome = nil
    }

    private mutating func archive() throws(IngestError) {
        do {
            try environment.files.archive(file.stored, day: UTCTime(Date()).date)
        }
        let skipped = file.skippedBecause
        try journal("journaling the archive") { try $0.recordState(runID: file.runID, skipped == nil ? .archived : .skipped, error: skipped) }
    }

    private mutating func recordFailure() throws(IngestError) {
        let failure = journey.failure ?? IngestError(.io, "unknown failure")
        let document = FailureDocument(
            file: file.name, run: file.runID, sha256: file.sha256, pipeline: file.pipeline?.pipeline.name, error: failure)
        try environment.files.fail(file.stored, errorFile: document.bytes)
        try journal("journaling the failure") { try $0.recordState(runID: file.runID, .failed, error: failure.summary) }
    }

    // MARK: helpers

    /// Runs a journal write, mapping its errors: a busy, full or failing database is transient.
    private func journal<T>(_ what: String, _ body: (Store) throws -> T) throws(IngestError) -> T {
        if let fault = environment.journalFault?(journey.step) { throw fault }
        do { return try body(environment.journal) } catch {
            throw IngestError(.io, "\(what): \(Store.describe(error))", transient: Store.isTransient(error), noSpace: Store.isFull(error))
        }
    }

    private mutating func releaseMemory() async {
        if file.reservedMemory > 0 {
            await environment.state.releaseMemory(file.reservedMemory)
            file.reservedMemory = 0
        }
    }

    private func log(_ ending: IngestJourney.Ending) {
        switch ending {
        case .failed(let kind):
            environment.logger.warning("file failed", metadata: ["run": "\(file.runID)", "kind": "\(kind)"])
        case .abandoned:
            environment.logger.critical(
                "a failure could not be recorded; the file stays in processing until the next start",
                metadata: ["run": "\(file.runID)", "kind": "\(journey.failure?.kind ?? "io")"])
        case .notTaken:
            environment.logger.debug("entry not taken", metadata: ["run": "\(file.runID)"])
        case .postponed:
            environment.logger.notice("retry postponed to the next start", metadata: ["run": "\(file.runID)"])
        case .archived, .skipped:
            break
        }
    }
}

import CFileSystem
import CohortData
import CohortJSON
import CohortPipeline
public import CohortStore
public import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Takes one dropped file through claim, analysis, publication and archiving, journaling each
/// step so that a restart after a crash at any point finishes the file exactly once.
///
/// Steps, each idempotent: (1) journal the claim, (2) rename the file into `state/processing`,
/// (3) hash it and choose its pipeline, count the attempt, (4) write the run folder under
/// `state/work` and rename it into `results/<pipeline>/<run-id>`, (5) journal the run,
/// (6) move the input to `state/archive/<date>/` (or `state/failed/` with its error file).
public struct FileProcessor: Sendable {
    public let layout: DaemonLayout
    public let store: Store
    public let pipelines: PipelineHolder
    public let duplicates: Bool
    public let maxFileSize: Int64
    public let logger: Logger
    let inFlight = InFlight()
    /// Claimed files whose output could not be written (disk full, permissions): kept in
    /// processing and retried with back-off by the daemon's loop.
    public let retries = RetryQueue()
    /// A test seam: an error to raise instead of publishing (simulates ENOSPC and the like).
    let publishFault: (@Sendable () -> (any Error)?)?
    /// Attempts after which a file that keeps crashing or hanging the worker is failed.
    public static let maximumAttempts = 3

    public init(
        layout: DaemonLayout, store: Store, pipelines: PipelineSet, skipDuplicates: Bool, maxFileSize: Int64, logger: Logger,
        publishFault: (@Sendable () -> (any Error)?)? = nil
    ) {
        self.init(
            layout: layout, store: store, pipelines: PipelineHolder(pipelines), skipDuplicates: skipDuplicates,
            maxFileSize: maxFileSize, logger: logger, publishFault: publishFault)
    }

    public init(
        layout: DaemonLayout, store: Store, pipelines: PipelineHolder, skipDuplicates: Bool, maxFileSize: Int64, logger: Logger,
        publishFault: (@Sendable () -> (any Error)?)? = nil
    ) {
        self.publishFault = publishFault
        self.layout = layout
        self.store = store
        self.pipelines = pipelines
        self.duplicates = skipDuplicates
        self.maxFileSize = maxFileSize
        self.logger = logger
    }

    /// The file name under processing/, archive/ and failed/: `<run-id>--<base name>`.
    static func storedName(runID: String, relativePath: String) -> String {
        "\(runID)--\(URL(fileURLWithPath: relativePath).lastPathComponent)"
    }

    /// Claims and processes a drop entry. Never throws: every failure ends in `state/failed`.
    public func take(_ entry: DropEntry) async {
        let runID = RunInfo.newID()
        do {
            try store.recordClaim(runID: runID, name: entry.relativePath)
            try FileOps.move(entry.path, to: layout.processing + "/" + Self.storedName(runID: runID, relativePath: entry.relativePath))
        } catch {
            // The entry is still in the drop directory (or gone); the journal row is finished on restart.
            logger.error("claim failed", metadata: ["run": "\(runID)", "error": "\(Self.code(error))"])
            try? store.recordState(runID: runID, .failed, error: "could not claim the file: \(error)")
            return
        }
        logger.info("file claimed", metadata: ["run": "\(runID)"])
        if let kind = entry.unsupportedKind {
            fail(
                runID: runID, name: entry.relativePath, sha256: nil, pipeline: nil,
                error: ErrorRecord(
                    kind: .unsupportedFile, message: "the entry is a \(kind); only regular files are analysed (it was not followed or opened)"))
            return
        }
        await process(runID: runID, name: entry.relativePath)
    }

    /// Why the daemon failed a file without analysing it (the data's own errors carry their
    /// ``DataError/Code``).
    enum FailureKind: String, Sendable {
        case unsupportedFile = "unsupported_file"
        case unreadable
        case tooLarge = "too_large"
        case noPipeline = "no_pipeline"
        case ambiguousPipeline = "ambiguous_pipeline"
        case crashed
    }

    /// What went wrong with a file, as written beside it in `state/failed`.
    struct ErrorRecord: Sendable {
        var kind: String
        var message: String
        var line: Int? = nil
        var column: String? = nil
        var problems: [DataError.Problem] = []

        init(kind: FailureKind, message: String) {
            self.kind = kind.rawValue
            self.message = message
        }

        init(_ error: DataError) {
            kind = error.code.name
            message = error.message
            line = error.line
            column = error.column
            problems = error.problems
        }
    }

    /// Processes a claimed file in `state/processing`.
    public func process(runID: String, name: String) async {
        let path = layout.processing + "/" + Self.storedName(runID: runID, relativePath: name)
        let fd = cfs_open_nofollow(AT_FDCWD, path, O_RDONLY)
        guard fd >= 0 else {
            fail(
                runID: runID, name: name, sha256: nil, pipeline: nil,
                error: ErrorRecord(kind: .unreadable, message: "cannot open the file (errno \(errno): \(String(cString: strerror(errno))))"))
            return
        }
        var status = stat()
        fstat(fd, &status)
        close(fd)
        guard status.st_mode & S_IFMT == S_IFREG else {
            fail(runID: runID, name: name, sha256: nil, pipeline: nil, error: ErrorRecord(kind: .unsupportedFile, message: "not a regular file"))
            return
        }
        guard Int64(status.st_size) <= maxFileSize else {
            fail(
                runID: runID, name: name, sha256: nil, pipeline: nil,
                error: ErrorRecord(kind: .tooLarge, message: "the file has \(status.st_size) bytes; max_file_size is \(maxFileSize)"))
            return
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            fail(runID: runID, name: name, sha256: nil, pipeline: nil, error: ErrorRecord(kind: .unreadable, message: "cannot read the file"))
            return
        }
        let sha = data.withUnsafeBytes { Digest.sha256($0) }
        let candidates = pipelines.current.matching(name)
        guard candidates.count == 1, let loaded = candidates.first else {
            let message =
                candidates.isEmpty
                ? "no pipeline matches this file name"
                : "several pipelines match this file name: \(candidates.map(\.pipeline.name).joined(separator: ", "))"
            fail(
                runID: runID, name: name, sha256: sha, pipeline: nil,
                error: ErrorRecord(kind: candidates.isEmpty ? .noPipeline : .ambiguousPipeline, message: message))
            return
        }
        let pipelineName = loaded.pipeline.name
        // One file per content and pipeline version at a time, so a duplicate waits for the first.
        let key = sha + loaded.sha256
        await inFlight.acquire(key)
        defer { inFlight.release(key) }
        let attempts: Int
        do {
            if duplicates, let earlier = try store.alreadyAnalysed(sha256: sha, pipelineSHA256: loaded.sha256, excluding: runID) {
                try store.recordAttempt(runID: runID, sha256: sha, bytes: Int64(data.count), pipeline: pipelineName, pipelineSHA256: loaded.sha256)
                try archive(
                    runID: runID, name: name, state: .skipped, note: "same content already analysed by this pipeline version in run \(earlier)")
                logger.info("duplicate skipped", metadata: ["run": "\(runID)", "pipeline": "\(pipelineName)", "sha256": "\(sha.prefix(12))"])
                return
            }
            attempts = try store.recordAttempt(
                runID: runID, sha256: sha, bytes: Int64(data.count), pipeline: pipelineName, pipelineSHA256: loaded.sha256)
        } catch {
            logger.error("journal write failed", metadata: ["run": "\(runID)", "error": "\(Self.code(error))"])
            return  // left claimed: finished on the next start
        }
        guard attempts <= Self.maximumAttempts else {
            fail(
                runID: runID, name: name, sha256: sha, pipeline: pipelineName,
                error: ErrorRecord(kind: .crashed, message: "the analysis crashed or hung \(attempts - 1) times on this file"))
            return
        }
        let info = RunInfo(id: runID, fileName: URL(fileURLWithPath: name).lastPathComponent)
        let outcome = await PipelineRunner(loaded).run(data, info: info, sha256: sha)
        if let failure = outcome.failure {
            fail(runID: runID, name: name, sha256: sha, pipeline: pipelineName, error: ErrorRecord(failure))
            return
        }
        do {
            if let fault = publishFault?() { throw fault }
            // Publish the folder, archive the input, then journal both in one transaction (a crash
            // in between is finished by recovery from the published folder).
            let (folder, results) = try publish(outcome, loaded: loaded, info: info)
            try moveToArchive(runID: runID, name: name)
            try store.recordPublished(
                Store.Run(outcome.result, folder: folder), analyses: Store.Analysis.rows(of: outcome.result, results: results),
                finalState: .archived)
            retries.finished(runID)
            logger.info(
                "run published",
                metadata: [
                    "run": "\(runID)", "pipeline": "\(pipelineName)", "sha256": "\(sha.prefix(12))", "status": "\(outcome.status.rawValue)",
                    "analyses": "\(loaded.analyses.count)", "failed_analyses": "\(outcome.analysisErrors.count)",
                    "analysis_errors": "\(outcome.analysisErrors.map { "\($0.id):\($0.error.code)" }.joined(separator: ","))",
                ])
        } catch {
            // Disk full or permissions on the output side: the input stays in processing, the
            // attempt is given back (it did not crash the analysis), and the file is retried with
            // back-off.
            try? store.recordRetry(runID: runID, error: "could not write the results: \(error)")
            let delay = retries.schedule(runID: runID, name: name)
            logger.error(
                "publishing failed, will retry",
                metadata: [
                    "run": "\(runID)", "pipeline": "\(pipelineName)", "error": "\(Self.code(error))", "retry_in_seconds": "\(Int(delay))",
                ])
        }
    }

    /// Writes the run folder under `state/work` and renames it into `results/<pipeline>/`.
    /// Returns the folder and each analysis's result as compact JSON (for the store), or `nil`
    /// results when the folder was already published.
    func publish(_ outcome: RunOutcome, loaded: LoadedPipeline, info: RunInfo) throws -> (folder: String, results: [String?]?) {
        let work = layout.work + "/" + info.id
        let target = layout.results + "/" + loaded.pipeline.name + "/" + info.id
        var status = stat()
        if lstat(target, &status) == 0 { return (target, nil) }
        if lstat(work, &status) == 0 { try? FileManager.default.removeItem(atPath: work) }  // a partial folder from an interrupted attempt
        try FileOps.makeDirectory(work)
        let (files, results) = RunWriter.filesAndResults(for: outcome, pipeline: loaded.pipeline, info: info)
        for (name, bytes) in files {
            try FileOps.write(bytes, to: work + "/" + name, sync: false)
        }
        // One filesystem sync makes the whole folder durable before it is renamed into results/.
        try FileOps.syncFilesystem(of: work)
        try FileOps.makeDirectory(layout.results + "/" + loaded.pipeline.name)
        try FileOps.move(work, to: target)
        return (target, results)
    }

    /// Moves the input from processing to the archive and journals the final state.
    func archive(runID: String, name: String, state: Store.InputState, note: String?) throws {
        try moveToArchive(runID: runID, name: name)
        try store.recordState(runID: runID, state, error: note)
    }

    /// Moves the input from processing to `archive/<date>/` (nothing when it is already gone).
    func moveToArchive(runID: String, name: String) throws {
        let stored = Self.storedName(runID: runID, relativePath: name)
        let day = Self.day(Date())
        let dir = layout.archive + "/" + day
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let source = layout.processing + "/" + stored
        if FileManager.default.fileExists(atPath: source) { try FileOps.move(source, to: dir + "/" + stored) }
    }

    /// Writes the error file, moves the input to `state/failed` and journals the failure.
    func fail(runID: String, name: String, sha256: String?, pipeline: String?, error: ErrorRecord) {
        retries.finished(runID)
        let stored = Self.storedName(runID: runID, relativePath: name)
        var errorObject: [(key: String, value: JSONValue)] = [
            ("kind", .string(error.kind)), ("message", .string(error.message)),
            ("line", error.line.map { .number(Double($0)) } ?? .null),
            ("column", error.column.map { .string($0) } ?? .null),
        ]
        if !error.problems.isEmpty {
            errorObject.append(
                (
                    "problems",
                    .array(
                        error.problems.map { p in
                            .object([
                                ("line", .number(Double(p.line))), ("column", .string(p.column)), ("value", .string(p.value)),
                                ("reason", .string(p.reason)),
                            ])
                        })
                ))
        }
        let document: JSONValue = .object([
            ("file", .string(name)), ("run", .string(runID)), ("sha256", sha256.map { .string($0) } ?? .null),
            ("pipeline", pipeline.map { .string($0) } ?? .null), ("error", .object(errorObject)),
        ])
        do {
            try FileOps.write(Array((document.serialized() + "\n").utf8), to: layout.failed + "/" + stored + ".error.json")
            let source = layout.processing + "/" + stored
            if FileManager.default.fileExists(atPath: source) || (try? FileManager.default.destinationOfSymbolicLink(atPath: source)) != nil {
                try FileOps.move(source, to: layout.failed + "/" + stored)
            }
            let location = error.line.map { " (line \($0)\(error.column.map { ", column \($0)" } ?? ""))" } ?? ""
            try store.recordState(runID: runID, .failed, error: error.message + location)
            logger.warning("file failed", metadata: ["run": "\(runID)", "kind": "\(error.kind)"])
        } catch {
            logger.error("recording a failure failed", metadata: ["run": "\(runID)", "error": "\(Self.code(error))"])
        }
    }

    static func day(_ date: Date) -> String { UTCTime(date).date }

    /// An error's code for logs (never a message that could quote a cell or a file name).
    static func code(_ error: any Error) -> String {
        if let e = error as? DaemonError { return e.code.name }
        if let e = error as? DataError { return e.code.name }
        return String(describing: type(of: error))
    }
}

/// Keys of files being analysed; a second file with the same key waits for the first.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var keys = Set<String>()

    func acquire(_ key: String) async {
        while !tryInsert(key) { try? await Task.sleep(for: .milliseconds(20)) }
    }

    private func tryInsert(_ key: String) -> Bool {
        lock.withLock { keys.insert(key).inserted }
    }

    func release(_ key: String) {
        _ = lock.withLock { keys.remove(key) }
    }
}

/// Files to process again later, with exponential back-off (5 s doubling up to 5 min).
public final class RetryQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (name: String, due: Date, delay: Double)] = [:]

    /// Schedules (or re-schedules with a doubled delay) a retry; returns the delay in seconds.
    @discardableResult
    func schedule(runID: String, name: String, now: Date = Date()) -> Double {
        lock.withLock {
            let delay = min(300, (entries[runID]?.delay ?? 2.5) * 2)
            entries[runID] = (name, now.addingTimeInterval(delay), delay)
            return delay
        }
    }

    /// At most `limit` retries that are due, oldest run first; they stay queued (not due) until
    /// rescheduled or finished.
    public func due(now: Date = Date(), limit: Int = .max) -> [(runID: String, name: String)] {
        lock.withLock {
            let ready = entries.filter { $0.value.due <= now }.map { ($0.key, $0.value.name) }
                .sorted { $0.0 < $1.0 }.prefix(max(0, limit))
            for (key, _) in ready { entries[key]?.due = .distantFuture }
            return Array(ready)
        }
    }

    /// Forgets a file once it is done.
    func finished(_ runID: String) { _ = lock.withLock { entries.removeValue(forKey: runID) } }

    /// Files waiting to be retried.
    public var count: Int { lock.withLock { entries.count } }
}

public import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The output store and journal: inputs, runs and analyses in SQLite (WAL, synchronous FULL).
///
/// Readers (`cohortd status`, `cohortd results`) may open the same file while the daemon writes;
/// WAL lets them read without blocking it. Every state change of an input is one transaction.
public final class Store: Sendable {
    let pool: DatabasePool

    /// The states an input passes through. Terminal: `archived`, `failed`, `skipped`.
    public enum InputState: String, Sendable, CaseIterable, Codable {
        /// Moved into state/processing and journaled; not analysed yet.
        case claimed
        /// Results folder published under results/; the input is still in processing.
        case published
        /// Results published and the input moved to the archive.
        case archived
        /// Failed; the input and its error file are in state/failed.
        case failed
        /// Same content already analysed by the same pipeline version; input archived.
        case skipped
    }

    /// One input file as journaled.
    public struct Input: Sendable, Hashable, Codable {
        public var runID: String
        public var name: String
        public var sha256: String?
        public var bytes: Int64?
        public var received: Date
        public var pipeline: String?
        public var pipelineSHA256: String?
        public var state: InputState
        public var attempts: Int
        public var error: String?
        public var updated: Date
    }

    /// One run of a pipeline on an input.
    public struct Run: Sendable, Hashable, Codable {
        public var runID: String
        public var pipeline: String
        public var pipelineSHA256: String
        public var version: String
        public var started: Date
        public var finished: Date
        public var status: String
        public var error: String?
        public var resultsPath: String
        public var readSeconds: Double?
        public var analysisSeconds: Double?

        public init(
            runID: String, pipeline: String, pipelineSHA256: String, version: String, started: Date, finished: Date,
            status: String, error: String?, resultsPath: String, readSeconds: Double?, analysisSeconds: Double?
        ) {
            self.runID = runID
            self.pipeline = pipeline
            self.pipelineSHA256 = pipelineSHA256
            self.version = version
            self.started = started
            self.finished = finished
            self.status = status
            self.error = error
            self.resultsPath = resultsPath
            self.readSeconds = readSeconds
            self.analysisSeconds = analysisSeconds
        }
    }

    /// One analysis of a run.
    public struct Analysis: Sendable, Hashable, Codable {
        public var runID: String
        public var id: String
        public var plugin: String
        public var status: String
        public var seconds: Double?
        /// The analysis's result as JSON text (`results.json`'s `result`), or `nil` when it failed.
        public var result: String?
        public var error: String?

        public init(runID: String, id: String, plugin: String, status: String, seconds: Double?, result: String?, error: String?) {
            self.runID = runID
            self.id = id
            self.plugin = plugin
            self.status = status
            self.seconds = seconds
            self.result = result
            self.error = error
        }
    }

    /// Opens (creating and migrating) the store at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        if !readOnly {
            try Self.migrator.migrate(pool)
            Self.restrictModes(path)
        }
    }

    /// The store, its WAL and shared-memory files are 0640 whatever the umask: they hold
    /// results, and only the service and the readers' group may read them.
    static func restrictModes(_ path: String) {
        for file in [path, path + "-wal", path + "-shm"] { _ = chmod(file, 0o640) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "inputs") { t in
                t.primaryKey("run_id", .text)
                t.column("name", .text).notNull()
                t.column("sha256", .text)
                t.column("bytes", .integer)
                t.column("received", .datetime).notNull()
                t.column("pipeline", .text)
                t.column("pipeline_sha256", .text)
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("error", .text)
                t.column("updated", .datetime).notNull()
            }
            try db.create(index: "inputs_state", on: "inputs", columns: ["state"])
            try db.create(index: "inputs_content", on: "inputs", columns: ["sha256", "pipeline_sha256"])
            try db.create(table: "runs") { t in
                t.primaryKey("run_id", .text).references("inputs", onDelete: .cascade)
                t.column("pipeline", .text).notNull()
                t.column("pipeline_sha256", .text).notNull()
                t.column("version", .text).notNull()
                t.column("started", .datetime).notNull()
                t.column("finished", .datetime).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("results_path", .text).notNull()
                t.column("read_seconds", .double)
                t.column("analysis_seconds", .double)
            }
            try db.create(index: "runs_pipeline", on: "runs", columns: ["pipeline", "finished"])
            try db.create(table: "analyses") { t in
                t.column("run_id", .text).notNull().references("runs", onDelete: .cascade)
                t.column("id", .text).notNull()
                t.column("plugin", .text).notNull()
                t.column("status", .text).notNull()
                t.column("seconds", .double)
                t.column("result", .text)
                t.column("error", .text)
                t.primaryKey(["run_id", "id"])
            }
        }
        return migrator
    }
}

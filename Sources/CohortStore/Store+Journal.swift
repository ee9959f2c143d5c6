public import Foundation
import GRDB

extension Store {
    /// Records a newly claimed input (idempotent: a second claim of the same run id is ignored).
    public func recordClaim(runID: String, name: String, received: Date = Date()) throws {
        try pool.write { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO inputs (run_id, name, received, state, attempts, updated)
                    VALUES (?, ?, ?, 'claimed', 0, ?)
                    """
            ).execute(arguments: [runID, name, received, Date()])
        }
    }

    /// Removes the journal row of a claim that did not happen (the entry vanished or was replaced
    /// before it was moved): the entry, if still there, is claimed afresh later.
    public func forgetClaim(runID: String) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM inputs WHERE run_id = ? AND state = 'claimed' AND sha256 IS NULL").execute(
                arguments: [runID])
        }
    }

    /// Whether the journal has no inputs at all (a lost or truncated store, when the state tree
    /// is not empty).
    public func isEmpty() throws -> Bool {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inputs") ?? 0 } == 0
    }

    /// Every run id the journal knows, with the content digest where known.
    public func knownRuns() throws -> [String: String?] {
        try pool.read { db in
            var known: [String: String?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT run_id, sha256 FROM inputs") { known[row["run_id"]] = row["sha256"] as String? }
            return known
        }
    }

    /// Records what is known about the content and the pipeline before analysis, and counts the
    /// attempt (committed before any plugin runs, so a file that crashes the worker is counted).
    /// Returns the number of attempts including this one.
    @discardableResult
    public func recordAttempt(runID: String, sha256: String, bytes: Int64, pipeline: String?, pipelineSHA256: String?) throws -> Int {
        try pool.write { db in
            try db.cachedStatement(
                sql: """
                    UPDATE inputs SET sha256 = ?, bytes = ?, pipeline = ?, pipeline_sha256 = ?, attempts = attempts + 1, updated = ?
                    WHERE run_id = ?
                    """
            ).execute(arguments: [sha256, bytes, pipeline, pipelineSHA256, Date(), runID])
            return try Int.fetchOne(db.cachedStatement(sql: "SELECT attempts FROM inputs WHERE run_id = ?"), arguments: [runID]) ?? 1
        }
    }

    /// Records a published run with its analyses and moves the input to `finalState` (`published`,
    /// or `archived` when the input is already archived), in one transaction.
    public func recordPublished(_ run: Run, analyses: [Analysis], finalState: InputState = .published) throws {
        try pool.write { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO runs (run_id, pipeline, pipeline_sha256, version, started, finished, status, error,
                                                 results_path, read_seconds, analysis_seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                run.runID, run.pipeline, run.pipelineSHA256, run.version, run.started, run.finished,
                run.status, run.error, run.resultsPath, run.readSeconds, run.analysisSeconds,
            ])
            try db.cachedStatement(sql: "DELETE FROM analyses WHERE run_id = ?").execute(arguments: [run.runID])
            for a in analyses {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO analyses (run_id, id, plugin, status, seconds, result, error) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [a.runID, a.id, a.plugin, a.status, a.seconds, a.result, a.error])
            }
            try db.cachedStatement(sql: "UPDATE inputs SET state = ?, updated = ? WHERE run_id = ?").execute(
                arguments: [finalState.rawValue, Date(), run.runID])
        }
    }

    /// Gives back the attempt of a file whose analysis ran but whose output could not be written
    /// (it will be retried; such failures are not crashes), and notes why.
    public func recordRetry(runID: String, error: String) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "UPDATE inputs SET attempts = MAX(attempts - 1, 0), error = ?, updated = ? WHERE run_id = ?").execute(
                arguments: [error, Date(), runID])
        }
    }

    /// Moves an input to a new state, with an error message for `failed`.
    public func recordState(runID: String, _ state: InputState, error: String? = nil) throws {
        try pool.write { db in
            try db.cachedStatement(sql: "UPDATE inputs SET state = ?, error = COALESCE(?, error), updated = ? WHERE run_id = ?").execute(
                arguments: [state.rawValue, error, Date(), runID])
        }
    }

    /// Whether content with this digest was already published by this pipeline version.
    public func alreadyAnalysed(sha256: String, pipelineSHA256: String, excluding runID: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT run_id FROM inputs WHERE sha256 = ? AND pipeline_sha256 = ? AND run_id != ?
                        AND state IN ('published', 'archived') LIMIT 1
                        """), arguments: [sha256, pipelineSHA256, runID])
        }
    }

    /// The journal entry of one input.
    public func input(runID: String) throws -> Input? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM inputs WHERE run_id = ?", arguments: [runID]).map(Self.input)
        }
    }

    /// Inputs not in a terminal state (work to finish after a restart), oldest first.
    public func unfinishedInputs() throws -> [Input] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM inputs WHERE state IN ('claimed', 'published') ORDER BY received, run_id")
                .map(Self.input)
        }
    }

    /// The most recent inputs, newest first, optionally only those in `state`.
    public func recentInputs(limit: Int, state: InputState? = nil) throws -> [Input] {
        try pool.read { db in
            if let state {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM inputs WHERE state = ? ORDER BY updated DESC LIMIT ?",
                    arguments: [state.rawValue, limit]
                ).map(Self.input)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM inputs ORDER BY updated DESC LIMIT ?", arguments: [limit]).map(Self.input)
        }
    }

    /// Counts of inputs by state.
    public func stateCounts() throws -> [InputState: Int] {
        try pool.read { db in
            var counts: [InputState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM inputs GROUP BY state") {
                if let state = InputState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Runs, newest first, filtered by pipeline, status and finish time.
    public func runs(pipeline: String? = nil, status: String? = nil, since: Date? = nil, limit: Int = 100) throws -> [Run] {
        try pool.read { db in
            var sql = "SELECT * FROM runs WHERE 1 = 1"
            var arguments: StatementArguments = []
            if let pipeline {
                sql += " AND pipeline = ?"
                _ = arguments.append(contentsOf: [pipeline])
            }
            if let status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status])
            }
            if let since {
                sql += " AND finished >= ?"
                _ = arguments.append(contentsOf: [since])
            }
            sql += " ORDER BY finished DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                Run(
                    runID: row["run_id"], pipeline: row["pipeline"], pipelineSHA256: row["pipeline_sha256"], version: row["version"],
                    started: row["started"], finished: row["finished"], status: row["status"], error: row["error"],
                    resultsPath: row["results_path"], readSeconds: row["read_seconds"], analysisSeconds: row["analysis_seconds"])
            }
        }
    }

    /// The analyses of a run.
    public func analyses(runID: String) throws -> [Analysis] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM analyses WHERE run_id = ? ORDER BY rowid", arguments: [runID]).map { row in
                Analysis(
                    runID: row["run_id"], id: row["id"], plugin: row["plugin"], status: row["status"], seconds: row["seconds"],
                    result: row["result"], error: row["error"])
            }
        }
    }

    static func input(_ row: Row) -> Input {
        Input(
            runID: row["run_id"], name: row["name"], sha256: row["sha256"], bytes: row["bytes"], received: row["received"],
            pipeline: row["pipeline"], pipelineSHA256: row["pipeline_sha256"],
            state: InputState(rawValue: row["state"]) ?? .failed, attempts: row["attempts"], error: row["error"],
            updated: row["updated"])
    }
}

public import CohortData
public import CohortJSON
public import CohortPluginAPI
public import Foundation

/// The outcome of one run as the results contract (`results.md`) states it: what `results.json`
/// holds, built once by the runner. The store's rows are made from this value, and results.json
/// is its encoding.
public struct RunResult: Sendable {
    public static let schema = "cohortd.results/1"

    /// `run`: id, start and finish (one of each per run: results.json and the store show the same).
    public var id: String
    public var started: Date
    public var finished: Date
    /// Seconds spent reading (and deriving) and in the analyses; `nil` when the file could not be read.
    public var seconds: Seconds?
    /// `pipeline`.
    public var pipeline: String
    public var pipelineSHA256: String
    /// `input`.
    public var input: Input
    /// `flow`: the cohort steps.
    public var flow: [FlowStep]
    /// `cohort.n`: patients analysed (`nil` when the file could not be read).
    public var cohortSize: Int?
    public var status: RunStatus
    /// Why the file could not be analysed (status `failed`, no analysis ran).
    public var error: DataError?
    public var analyses: [Analysis]

    public struct Seconds: Sendable, Hashable {
        public var read: Double
        public var analyses: Double
    }

    public struct Input: Sendable, Hashable {
        public var file: String
        public var sha256: String
        public var bytes: Int
        /// Rows in the file; `nil` when it could not be read.
        public var rows: Int?
        /// Bad values turned into missing (`on_error: missing`), per column in column order;
        /// `nil` when the file could not be read.
        public var badValues: [BadValues]?
    }

    public struct BadValues: Sendable, Hashable {
        public var column: String
        public var count: Int
    }

    /// One analysis of the run.
    public struct Analysis: Sendable {
        public var id: String
        public var plugin: String
        public var status: AnalysisStatus
        public var seconds: Double
        /// The plugin's output as JSON (status `ok`).
        public var result: JSONValue?
        /// Why it failed (status `error`).
        public var error: AnalysisError?
    }

    /// The analyses that failed, with their errors.
    public var analysisErrors: [(id: String, error: AnalysisError)] {
        analyses.compactMap { a in a.error.map { (a.id, $0) } }
    }
}

/// A run's status (`results.md`): every analysis succeeded, some did, or none did (or the file
/// could not be analysed at all).
public enum RunStatus: String, Sendable, Hashable, CaseIterable, Encodable {
    case ok
    case partial
    case failed

    /// The status of a run whose analyses ended with `failures` errors out of `count`.
    public init(failures: Int, of count: Int) {
        self = failures == 0 ? .ok : (failures == count ? .failed : .partial)
    }
}

/// An analysis's status in results.json.
public enum AnalysisStatus: String, Sendable, Hashable, CaseIterable, Encodable {
    case ok
    case error
}

extension RunResult: Encodable {
    enum Keys: String, CodingKey {
        case schema, software, run, pipeline, input, flow, cohort, status, error, analyses
        case name, version, id, started, finished, seconds, read, sha256, file, bytes, rows, bad_values, n
        case kind, message, line, column, problems, value, reason, step, kept, excluded, plugin, result
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(Self.schema, forKey: .schema)
        var software = c.nestedContainer(keyedBy: Keys.self, forKey: .software)
        try software.encode("cohortd", forKey: .name)
        try software.encode(PipelineRunner.version, forKey: .version)
        var run = c.nestedContainer(keyedBy: Keys.self, forKey: .run)
        try run.encode(id, forKey: .id)
        try run.encode(UTCTime(started).iso8601, forKey: .started)
        try run.encode(UTCTime(finished).iso8601, forKey: .finished)
        if let seconds {
            var s = run.nestedContainer(keyedBy: Keys.self, forKey: .seconds)
            try s.encode(seconds.read, forKey: .read)
            try s.encode(seconds.analyses, forKey: .analyses)
        }
        var p = c.nestedContainer(keyedBy: Keys.self, forKey: .pipeline)
        try p.encode(pipeline, forKey: .name)
        try p.encode(pipelineSHA256, forKey: .sha256)
        var i = c.nestedContainer(keyedBy: Keys.self, forKey: .input)
        try i.encode(input.file, forKey: .file)
        try i.encode(input.sha256, forKey: .sha256)
        try i.encode(input.bytes, forKey: .bytes)
        try i.encodeIfPresent(input.rows, forKey: .rows)
        if let bad = input.badValues {
            try i.encode(JSONValue.object(bad.map { ($0.column, .number(Double($0.count))) }), forKey: .bad_values)
        }
        var f = c.nestedUnkeyedContainer(forKey: .flow)
        for step in flow {
            // The contract gives each step the counts that apply to it: `n` for the export, `kept`
            // and `excluded` for a cohort step.
            var s = f.nestedContainer(keyedBy: Keys.self)
            try s.encode(step.step, forKey: .step)
            if let n = step.n { try s.encode(n, forKey: .n) }
            if let k = step.kept { try s.encode(k, forKey: .kept) }
            if let e = step.excluded { try s.encode(e, forKey: .excluded) }
        }
        if let cohortSize {
            var cohort = c.nestedContainer(keyedBy: Keys.self, forKey: .cohort)
            try cohort.encode(cohortSize, forKey: .n)
        }
        try c.encode(status, forKey: .status)
        if let error {
            var e = c.nestedContainer(keyedBy: Keys.self, forKey: .error)
            try e.encode(error.code.name, forKey: .kind)
            try e.encode(error.message, forKey: .message)
            try e.encodeIfPresent(error.line, forKey: .line)
            try e.encodeIfPresent(error.column, forKey: .column)
            var problems = e.nestedUnkeyedContainer(forKey: .problems)
            for problem in error.problems {
                var q = problems.nestedContainer(keyedBy: Keys.self)
                try q.encode(problem.line, forKey: .line)
                try q.encode(problem.column, forKey: .column)
                try q.encode(problem.value, forKey: .value)
                try q.encode(problem.reason, forKey: .reason)
            }
        }
        var a = c.nestedUnkeyedContainer(forKey: .analyses)
        for analysis in analyses {
            var entry = a.nestedContainer(keyedBy: Keys.self)
            try entry.encode(analysis.id, forKey: .id)
            try entry.encode(analysis.plugin, forKey: .plugin)
            try entry.encode(analysis.status, forKey: .status)
            try entry.encode(analysis.seconds, forKey: .seconds)
            switch analysis.status {
            case .ok: try entry.encode(analysis.result ?? .null, forKey: .result)
            case .error: try entry.encode(analysis.error?.message ?? "", forKey: .error)
            }
        }
    }

    /// results.json as a JSON value.
    public var document: JSONValue {
        get throws { try JSONValueEncoder().encode(self) }
    }
}

extension RunResult {
    /// A run read back from its results.json — for a daemon that finds a published folder the
    /// journal did not record (a crash between the two). Reads what the store records.
    ///
    /// - Throws: ``AnalysisError`` with code `bad_results` when the document is not a results.json.
    public init(recordedIn document: JSONValue) throws {
        func fail(_ what: String) -> AnalysisError { AnalysisError(.init("bad_results"), "results.json: \(what)") }
        func string(_ v: JSONValue?) -> String? {
            if case .string(let s)? = v { return s }
            return nil
        }
        func number(_ v: JSONValue?) -> Double? {
            if case .number(let x)? = v { return x }
            return nil
        }
        guard string(document["schema"]) == Self.schema else { throw fail("not a \(Self.schema) document") }
        guard let run = document["run"], let id = string(run["id"]),
            let started = string(run["started"]).flatMap(UTCTime.init(iso8601:)),
            let finished = string(run["finished"]).flatMap(UTCTime.init(iso8601:))
        else { throw fail("no run id and times") }
        guard let status = string(document["status"]).flatMap(RunStatus.init(rawValue:)) else { throw fail("no status") }
        self.id = id
        self.started = started.instant
        self.finished = finished.instant
        if let read = number(run["seconds"]?["read"]), let analyses = number(run["seconds"]?["analyses"]) {
            seconds = Seconds(read: read, analyses: analyses)
        }
        pipeline = string(document["pipeline"]?["name"]) ?? ""
        pipelineSHA256 = string(document["pipeline"]?["sha256"]) ?? ""
        let input = document["input"]
        self.input = Input(
            file: string(input?["file"]) ?? "", sha256: string(input?["sha256"]) ?? "",
            bytes: Int(number(input?["bytes"]) ?? 0), rows: number(input?["rows"]).map { Int($0) }, badValues: nil)
        flow = []
        cohortSize = number(document["cohort"]?["n"]).map { Int($0) }
        self.status = status
        var analyses: [Analysis] = []
        if case .array(let items)? = document["analyses"] {
            for item in items {
                guard let id = string(item["id"]), let plugin = string(item["plugin"]),
                    let status = string(item["status"]).flatMap(AnalysisStatus.init(rawValue:))
                else { throw fail("an analysis without id, plugin or status") }
                analyses.append(
                    Analysis(
                        id: id, plugin: plugin, status: status, seconds: number(item["seconds"]) ?? 0,
                        result: item["result"], error: string(item["error"]).map { AnalysisError(.init("recorded"), $0) }))
            }
        }
        self.analyses = analyses
    }
}

public import CohortPluginSDK
import CohortStatistics
public import Foundation

/// What running a pipeline on one export produced.
public struct RunOutcome: Sendable {
    /// results.json (contract `results.md`).
    public var document: JSONValue
    /// "ok", "partial" or "failed".
    public var status: String
    /// Report blocks of each analysis that completed, in pipeline order.
    public var report: [(id: String, blocks: [ReportBlock])]
    /// Flow diagram of the cohort steps.
    public var flow: [FlowStep]
    /// Set when the file itself could not be analysed (nothing ran).
    public var failure: DataError?
    /// Analyses that failed, with their errors.
    public var analysisErrors: [(id: String, message: String)] = []
}

/// Describes one run for provenance.
public struct RunInfo: Sendable {
    public var id: String
    public var fileName: String
    public var started: Date

    public init(id: String, fileName: String, started: Date = Date()) {
        self.id = id
        self.fileName = fileName
        self.started = started
    }

    /// A new run id: UTC time to the millisecond plus random hex, sortable and unique.
    public static func newID(at date: Date = Date()) -> String {
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(UTCTime(date).compact)-\(String(repeating: "0", count: 8 - random.count) + random)"
    }
}

/// Runs a loaded pipeline on an export: read, derive, select the cohort, run the analyses
/// (independent ones concurrently), and assemble results.json.
public struct PipelineRunner: Sendable {
    public let loaded: LoadedPipeline
    public static let version = "0.1.0"

    public init(_ loaded: LoadedPipeline) { self.loaded = loaded }

    /// Reads, derives and filters: the analysed cohort and its flow.
    public func prepare(_ bytes: UnsafeRawBufferPointer) throws -> Prepared {
        let p = loaded.pipeline
        var table = try CSVReader(columns: p.columns, options: p.input).read(bytes)
        let badValues = table.columns.filter { $0.badValues > 0 }.map { ($0.name, $0.badValues) }
        for d in p.derivations { table.set(try d.evaluate(on: table)) }
        let (cohort, flow) = try CohortFilter.apply(p.cohort, to: table)
        return Prepared(table: cohort, flow: flow, rows: table.rowCount, badValues: badValues)
    }

    /// An export read, derived and filtered.
    public struct Prepared: Sendable {
        /// The analysed cohort.
        public var table: Table
        public var flow: [FlowStep]
        /// Rows in the file.
        public var rows: Int
        /// Bad values turned into missing (`on_error: missing`), per column.
        public var badValues: [(column: String, count: Int)]
    }

    /// Runs on the contents of an export. `sha256` is the content's digest when the caller has
    /// already computed it (the daemon does, to find duplicates); otherwise it is computed here.
    public func run(_ data: Data, info: RunInfo, sha256: String? = nil) async -> RunOutcome {
        let p = loaded.pipeline
        let clock = ContinuousClock()
        let t0 = clock.now
        // Hash on its own thread while the file is parsed (unless the digest is known).
        let hash = sha256 == nil ? HashJob(data) : nil
        let (byteCount, preparedResult) = data.withUnsafeBytes { bytes in
            (bytes.count, Result { try prepare(bytes) })
        }
        let readSeconds = Self.seconds(clock.now - t0)
        let inputSHA = sha256 ?? hash?.wait() ?? ""
        var base: [(key: String, value: JSONValue)] = [
            ("schema", .string("cohortd.results/1")),
            ("software", .object([("name", .string("cohortd")), ("version", .string(Self.version))])),
        ]
        func runObject(finished: Date) -> JSONValue {
            .object([("id", .string(info.id)), ("started", .string(Self.timestamp(info.started))), ("finished", .string(Self.timestamp(finished)))])
        }
        let pipelineObject: JSONValue = .object([("name", .string(p.name)), ("sha256", .string(loaded.sha256))])
        let prepared: Prepared
        do {
            prepared = try preparedResult.get()
        } catch {
            let dataError = (error as? DataError) ?? DataError(.unreadable, String(describing: error))
            base += [("run", runObject(finished: Date())), ("pipeline", pipelineObject),
                     ("input", .object([("file", .string(info.fileName)), ("sha256", .string(inputSHA)), ("bytes", .number(Double(byteCount))), ("rows", .null)])),
                     ("flow", .array([])), ("status", .string("failed")),
                     ("error", Self.errorObject(dataError)), ("analyses", .array([]))]
            return RunOutcome(document: .object(base), status: "failed", report: [], flow: [], failure: dataError)
        }
        let input = AnalysisInput(table: prepared.table, pipeline: p, earlierOutputs: [:], pipelineDirectory: loaded.directory)
        let reportContext = ReportContext(minCell: p.report.minCell, timeUnit: p.survival?.unit ?? "")
        let t1 = clock.now
        let results = await runAnalyses(input: input, report: reportContext)
        let analysisSeconds = Self.seconds(clock.now - t1)

        var analyses: [JSONValue] = []
        var report: [(id: String, blocks: [ReportBlock])] = []
        var failures = 0
        var errors: [(id: String, message: String)] = []
        for (analysis, result) in zip(loaded.analyses, results) {
            var entry: [(key: String, value: JSONValue)] = [("id", .string(analysis.id)), ("plugin", .string(analysis.plugin))]
            switch result.outcome {
            case .success(let outcome):
                entry += [("status", .string("ok")), ("seconds", .number(result.seconds)), ("result", outcome.result)]
                report.append((analysis.id, outcome.report))
            case .failure(let error):
                failures += 1
                errors.append((analysis.id, Self.message(error)))
                entry += [("status", .string("error")), ("seconds", .number(result.seconds)), ("error", .string(Self.message(error)))]
            }
            analyses.append(.object(entry))
        }
        let status = failures == 0 ? "ok" : (failures == analyses.count ? "failed" : "partial")
        let flow: [JSONValue] = prepared.flow.map { step in
            var o: [(key: String, value: JSONValue)] = [("step", .string(step.step))]
            if let n = step.n { o.append(("n", .number(Double(n)))) }
            if let k = step.kept { o.append(("kept", .number(Double(k)))) }
            if let e = step.excluded { o.append(("excluded", .number(Double(e)))) }
            return .object(o)
        }
        var run = runObject(finished: Date())
        if case .object(var fields) = run {
            fields.append(("seconds", .object([("read", .number(readSeconds)),
                                                 ("analyses", .number(analysisSeconds))])))
            run = .object(fields)
        }
        base += [("run", run), ("pipeline", pipelineObject),
                 ("input", .object([("file", .string(info.fileName)), ("sha256", .string(inputSHA)),
                                    ("bytes", .number(Double(byteCount))), ("rows", .number(Double(prepared.rows))),
                                    ("bad_values", .object(prepared.badValues.map { ($0.column, .number(Double($0.count))) }))])),
                 ("flow", .array(flow)), ("cohort", .object([("n", .number(Double(prepared.table.rowCount)))])),
                 ("status", .string(status)), ("analyses", .array(analyses))]
        return RunOutcome(document: .object(base), status: status, report: report, flow: prepared.flow, failure: nil,
                          analysisErrors: errors)
    }

    struct AnalysisResult: Sendable {
        var outcome: Result<AnalysisOutcome, any Error>
        var seconds: Double
    }

    /// Runs analyses in waves: each wave holds those whose dependencies have finished, run
    /// concurrently. On a large cohort each part of a partitioned analysis is a task of its own
    /// (it spreads over the cores the others leave free) and the analysis is assembled once all
    /// its parts are done; its `seconds` are then the sum of its parts' times.
    func runAnalyses(input: AnalysisInput, report: ReportContext) async -> [AnalysisResult] {
        let analyses = loaded.analyses
        var results = [AnalysisResult?](repeating: nil, count: analyses.count)
        var outputs: [String: any Sendable] = [:]
        while results.contains(where: { $0 == nil }) {
            let ready = analyses.indices.filter { i in
                results[i] == nil && analyses[i].dependencies.allSatisfy { dep in
                    analyses.indices.contains { analyses[$0].id == dep && results[$0] != nil }
                }
            }
            let waveInput = input.with(earlierOutputs: outputs)
            let finished = await withTaskGroup(of: TaskOutput.self) { group in
                // Larger analyses first, so that the last tasks of the wave are small ones. On a small
                // cohort an analysis is one task (parts in turn, then assembled): a task per part
                // would cost more than it saves.
                let split = input.table.rowCount >= Self.partitionThreshold
                for i in ready.sorted(by: { analyses[$0].partCount > analyses[$1].partCount }) {
                    let analysis = analyses[i]
                    if split && analysis.partCount > 1 {
                        for k in 0..<analysis.partCount {
                            group.addTask {
                                let clock = ContinuousClock()
                                let start = clock.now
                                let value = Result { try analysis.runPart(k, input: waveInput) }
                                return .part(PartResult(analysis: i, part: k, value: value, seconds: Self.seconds(clock.now - start)))
                            }
                        }
                    } else {
                        group.addTask {
                            let clock = ContinuousClock()
                            let start = clock.now
                            let outcome = Result { try analysis.run(waveInput, report: report) }
                            return .whole(i, AnalysisResult(outcome: outcome, seconds: Self.seconds(clock.now - start)))
                        }
                    }
                }
                var parts: [PartResult] = []
                var wholes: [(Int, AnalysisResult)] = []
                for await output in group {
                    switch output {
                    case .part(let part): parts.append(part)
                    case .whole(let i, let result): wholes.append((i, result))
                    }
                }
                // Analyses computed in parts are assembled once all their parts are in.
                for i in Set(parts.map(\.analysis)) {
                    let mine = parts.filter { $0.analysis == i }.sorted { $0.part < $1.part }
                    let clock = ContinuousClock()
                    let start = clock.now
                    let outcome = Result { try analyses[i].assemble(mine.map { try $0.value.get() }, report: report) }
                    wholes.append((i, AnalysisResult(outcome: outcome, seconds: mine.reduce(0) { $0 + $1.seconds } + Self.seconds(clock.now - start))))
                }
                return wholes
            }
            for (i, result) in finished {
                results[i] = result
                if case .success(let outcome) = result.outcome { outputs[analyses[i].id] = outcome.output }
            }
        }
        return results.compactMap { $0 }
    }

    /// Cohorts at least this large have their analyses' parts computed as tasks of their own.
    public static let partitionThreshold = 20_000

    /// What a task of a wave produced: one part of an analysis, or a whole analysis.
    enum TaskOutput: Sendable {
        case part(PartResult)
        case whole(Int, AnalysisResult)
    }

    /// One part of an analysis, computed.
    struct PartResult: Sendable {
        var analysis: Int
        var part: Int
        var value: Result<any Sendable, any Error>
        var seconds: Double
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func message(_ error: any Error) -> String {
        if let e = error as? AnalysisError { return e.message }
        if let e = error as? StatisticsError { return e.message }
        return String(describing: error)
    }

    static func errorObject(_ e: DataError) -> JSONValue {
        .object([("kind", .string(e.code.name)), ("message", .string(e.message)),
                 ("line", e.line.map { .number(Double($0)) } ?? .null), ("column", e.column.map { .string($0) } ?? .null),
                 ("problems", .array(e.problems.map { p in
                     .object([("line", .number(Double(p.line))), ("column", .string(p.column)), ("value", .string(p.value)), ("reason", .string(p.reason))])
                 }))])
    }

    static func timestamp(_ date: Date) -> String { UTCTime(date).iso8601 }
}

/// SHA-256 of a buffer computed on a background thread.
final class HashJob: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var digest = ""

    init(_ data: Data) {
        Thread.detachNewThread { [self] in
            digest = data.withUnsafeBytes { Digest.sha256($0) }
            done.signal()
        }
    }

    /// Blocks until the digest is ready (once).
    func wait() -> String {
        done.wait()
        return digest
    }
}

import CohortConfiguration
public import CohortData
public import CohortJSON
public import CohortPluginAPI
public import CohortReport
import CohortStatistics
import Dispatch
public import Foundation
import Synchronization

/// What running a pipeline on one export produced: the run's result (results.json) and the
/// report sections of the analyses that completed.
public struct RunOutcome: Sendable {
    public var result: RunResult
    /// Report blocks of each analysis that completed, in pipeline order.
    public var report: [(id: String, blocks: [ReportBlock])]
    /// The methods statements of the analyses that completed, in pipeline order.
    public var methods: [MethodsStatement] = []
    /// Each phase's seconds and peak memory (not in results.json): for logs and progress.
    public var phases = RunPhases()
    /// The figures drawn as their analyses finished (see ``PipelineRunner/drawsFigures``), which
    /// ``RunWriter`` takes rather than drawing them again; `nil` when they were not.
    package var figures: FigureDrawer?

    public var status: RunStatus { result.status }
    /// Set when the file itself could not be analysed (nothing ran).
    public var failure: DataError? { result.error }
    /// Flow diagram of the cohort steps.
    public var flow: [FlowStep] { result.flow }
    /// Analyses that failed, with their errors.
    public var analysisErrors: [(id: String, error: AnalysisError)] { result.analysisErrors }
    /// results.json as a JSON value.
    public var document: JSONValue { (try? result.document) ?? .null }
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
    /// Analysis tasks (analyses, or parts of one) run at once, at most. Each holds its own working
    /// memory (subsets of the columns, sort orders), so a caller short of memory for a large
    /// cohort trades time for memory by lowering it; by default as many as the executor runs.
    public var maxConcurrentTasks = Int.max
    /// Told of each analysis task and each analysis as it finishes (on a queue of its own, one
    /// call at a time, the counts in order; every call made before ``run(_:info:)`` returns), for
    /// a progress display; `nil` by default.
    public var progress: (@Sendable (RunProgress) -> Void)?
    /// Whether each analysis's figures are drawn (PDF, PNG, as `report: outputs:` asks) as soon as
    /// the analysis finishes, on a thread of their own, while the other analyses go on; the outcome
    /// carries them to ``RunWriter``. Off by default (for callers that write no run folder); on in
    /// `cohortd analyze` and the daemon. The drawing is serial, so this overlaps it with the
    /// analyses instead of running all of it after the last one. It costs memory beside the
    /// analyses' (a 300-dpi image, about 12 MB for the benchmark's figures, until the analyses
    /// end): ignored when ``maxConcurrentTasks`` is 1, the setting of a run short of memory.
    public var drawsFigures = false
    public static let version = "0.1.0"

    public init(_ loaded: LoadedPipeline) { self.loaded = loaded }

    /// Reads, derives and filters an export in memory: the analysed cohort and its flow.
    public func prepare(_ bytes: UnsafeRawBufferPointer) throws -> Prepared {
        var source = BufferSource(bytes)
        var hasher = Digest.SHA256Stream()
        return try prepare(from: &source, observer: &hasher)
    }

    /// Reads `source` once (every byte also to `observer`), derives and filters. The unfiltered
    /// table is handed to the filter, which drops each column as it gathers its kept rows, so
    /// two whole tables are never held at once.
    func prepare(from source: inout some ByteSource, observer: inout Digest.SHA256Stream) throws -> Prepared {
        let p = loaded.pipeline
        var phases = RunPhases()
        var start = ContinuousClock.now
        var table = try CSVReader(columns: p.columns, options: p.input, unread: loaded.unreadColumns).read(from: &source, observer: &observer)
        let badValues = table.columns.filter { $0.badValues > 0 }.map { ($0.name, $0.badValues) }
        phases.read = .since(start)
        start = ContinuousClock.now
        for d in p.derivations { table.set(try d.evaluate(on: table)) }
        phases.derive = .since(start)
        start = ContinuousClock.now
        let rows = table.rowCount
        let (cohort, flow) = try CohortFilter.apply(p.cohort, to: consume table)
        phases.filter = .since(start)
        return Prepared(table: cohort, flow: flow, rows: rows, badValues: badValues, phases: phases)
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
        /// Read, derive and filter: their seconds and peak memory (the analyses' are added by
        /// ``PipelineRunner/run(_:info:)`` in ``RunOutcome/phases``).
        public var phases = RunPhases()
    }

    /// Runs on the contents of an export held in memory (a thin wrapper of ``read(from:)`` and
    /// ``run(_:info:)``). `sha256`, when given, replaces the digest computed while reading.
    public func run(_ data: Data, info: RunInfo, sha256: String? = nil) async -> RunOutcome {
        var input = data.withUnsafeBytes { bytes in
            var source = BufferSource(bytes)
            return read(from: &source)
        }
        if let sha256 { input.sha256 = sha256 }
        return await run(input, info: info)
    }

    /// Analyses an export read by ``read(from:)``: a file that could not be read gives a failed
    /// outcome naming its error, as results.json records it.
    public func run(_ input: ReadInput, info: RunInfo) async -> RunOutcome {
        let p = loaded.pipeline
        let clock = ContinuousClock()
        var result = RunResult(
            id: info.id, started: info.started, finished: info.started, seconds: nil, pipeline: p.name,
            pipelineSHA256: loaded.sha256,
            input: .init(file: info.fileName, sha256: input.sha256, bytes: input.bytes, rows: nil, badValues: nil),
            flow: [], cohortSize: nil, status: .failed, error: nil, analyses: [])
        let prepared: Prepared
        switch input.prepared {
        case .success(let value): prepared = value
        case .failure(let error):
            result.error = error
            result.finished = Date()
            return RunOutcome(result: result, report: [])
        }
        let analysisInput = AnalysisInput(
            table: prepared.table, survival: loaded.survival, competing: loaded.competing, earlierOutputs: [:],
            pipelineDirectory: loaded.directory, immortalTime: loaded.immortalTime)
        let reportContext = ReportContext(minCell: p.report.minCell, timeUnit: p.survival?.unit ?? "")
        let t1 = clock.now
        // Not beside analyses run one at a time to save memory: the drawing would add its own.
        let drawer =
            drawsFigures && maxConcurrentTasks > 1 && FigureFiles.rendersAny(p.report.outputs) ? FigureDrawer(outputs: p.report.outputs) : nil
        let results = await runAnalyses(input: analysisInput, report: reportContext, drawer: drawer)
        drawer?.releaseMemory()
        let analysisSeconds = Self.seconds(clock.now - t1)
        var phases = prepared.phases
        phases.analyses = .since(t1)

        var report: [(id: String, blocks: [ReportBlock])] = []
        var methods: [MethodsStatement] = []
        for (analysis, outcome) in zip(loaded.analyses, results) {
            var entry = RunResult.Analysis(id: analysis.id, plugin: analysis.plugin, status: .ok, seconds: outcome.seconds)
            switch outcome.outcome {
            case .success(let done):
                entry.result = done.result
                report.append((analysis.id, done.report))
                methods += done.methods
            case .failure(let error):
                entry.status = .error
                entry.error = error
            }
            result.analyses.append(entry)
        }
        result.status = RunStatus(failures: result.analysisErrors.count, of: result.analyses.count)
        result.seconds = .init(read: input.seconds, analyses: analysisSeconds)
        result.input.rows = prepared.rows
        result.input.badValues = prepared.badValues.map { RunResult.BadValues(column: $0.column, count: $0.count) }
        result.flow = prepared.flow
        result.cohortSize = prepared.table.rowCount
        result.finished = Date()
        return RunOutcome(result: result, report: report, methods: methods, phases: phases, figures: drawer)
    }

    struct AnalysisResult: Sendable {
        var outcome: Result<AnalysisOutcome, AnalysisError>
        var seconds: Double
    }

    /// Runs analyses in waves: each wave holds those whose dependencies have finished, run
    /// concurrently. On a large cohort each part of a partitioned analysis is a task of its own
    /// (it spreads over the cores the others leave free) and the analysis is assembled by the
    /// task that finishes its last part; its `seconds` are then the sum of its parts' times.
    ///
    /// Each analysis that completes hands its figures to `drawer` (when given) from the task that
    /// completed it, at once: the wave's own loop runs only when a core is free, which is late.
    func runAnalyses(input: AnalysisInput, report: ReportContext, drawer: FigureDrawer? = nil) async -> [AnalysisResult] {
        let analyses = loaded.analyses
        var results = [AnalysisResult?](repeating: nil, count: analyses.count)
        var outputs: [String: any Sendable] = [:]
        let split = input.table.rowCount >= Self.partitionThreshold
        let totalTasks = analyses.reduce(0) { $0 + (split && $1.partCount > 1 ? $1.partCount : 1) }
        var survivalPrepared = false
        // Told from the tasks themselves: the wave's loop would tell them late, in a burst.
        let counter = ProgressCounter(progress: progress, tasks: totalTasks, analyses: analyses.count)
        /// The analysis's result, its figures handed to the drawer and its end told.
        @Sendable func finished(_ i: Int, _ result: AnalysisResult) -> AnalysisResult {
            if let drawer, case .success(let done) = result.outcome {
                drawer.submit(done.report.compactMap { if case .figure(let figure) = $0 { figure } else { nil } })
            }
            counter.taskFinished(analysis: (analyses[i].id, analyses[i].plugin, result))
            return result
        }
        while results.contains(where: { $0 == nil }) {
            let ready = analyses.indices.filter { i in
                results[i] == nil
                    && analyses[i].dependencies.allSatisfy { dep in
                        analyses.indices.contains { analyses[$0].id == dep && results[$0] != nil }
                    }
            }
            let waveInput = input.with(earlierOutputs: outputs)
            let finishedInWave = await withTaskGroup(of: TaskOutput.self) { group in
                // On a small cohort an analysis is one task (parts in turn, then assembled): a task
                // per part would cost more than it saves. Larger analyses (more parts) first, so that
                // the wave's last tasks are small ones.
                var order = ready.sorted { analyses[$0].partCount > analyses[$1].partCount }
                if split, let first = order.first {
                    // On a large cohort the tasks are parts. The analysis of most parts still goes
                    // first: its small parts keep the other cores busy while the survival outcome is
                    // extracted (those that need it would wait). Then whole analyses, then the others
                    // by parts ascending, for an analysis split in fewer parts has larger ones (a
                    // whole ROC curve a predictor against one summary a variable), which then finish
                    // early, and with a `drawer` their figures are drawn while the small parts run.
                    order = [first] + order.dropFirst().sorted { analyses[$0].partCount < analyses[$1].partCount }
                }
                var jobs: [@Sendable () -> TaskOutput] = []
                for i in order {
                    let analysis = analyses[i]
                    if split && analysis.partCount > 1 {
                        let collector = PartCollector(count: analysis.partCount)
                        for k in 0..<analysis.partCount {
                            jobs.append {
                                let clock = ContinuousClock()
                                let start = clock.now
                                let value = Result { () throws(AnalysisError) in try analysis.runPart(k, input: waveInput) }
                                let part = PartResult(part: k, value: value, seconds: Self.seconds(clock.now - start))
                                // The task that brings the last part assembles the analysis.
                                guard let mine = collector.add(part) else {
                                    counter.taskFinished(analysis: nil)
                                    return .part
                                }
                                return .whole(i, finished(i, assemble(analysis, mine, report: report)))
                            }
                        }
                    } else {
                        jobs.append {
                            let clock = ContinuousClock()
                            let start = clock.now
                            let outcome = Result { () throws(AnalysisError) in try analysis.run(waveInput, report: report) }
                            return .whole(i, finished(i, AnalysisResult(outcome: outcome, seconds: Self.seconds(clock.now - start))))
                        }
                    }
                }
                // On a large cohort the survival outcome (its time order: the one sort the
                // survival analyses share) is extracted first, by a task of its own, while the
                // other cores start on the analyses' parts: otherwise the first part that needs it
                // extracts it while every other part that does waits.
                if split && waveInput.survivalOutcome != nil && !survivalPrepared {
                    survivalPrepared = true
                    jobs.insert(
                        {
                            _ = try? waveInput.survival()
                            return .prepared
                        }, at: 0)
                }
                // At most `width` tasks at once; each one that finishes lets the next start.
                let width = max(1, maxConcurrentTasks)
                var next = 0
                while next < min(width, jobs.count) {
                    group.addTask(operation: jobs[next])
                    next += 1
                }
                var wholes: [(Int, AnalysisResult)] = []
                for await output in group {
                    if next < jobs.count {
                        group.addTask(operation: jobs[next])
                        next += 1
                    }
                    if case .whole(let i, let result) = output { wholes.append((i, result)) }
                }
                return wholes
            }
            counter.drain()
            for (i, result) in finishedInWave {
                results[i] = result
                if case .success(let outcome) = result.outcome { outputs[analyses[i].id] = outcome.output }
            }
        }
        return results.compactMap { $0 }
    }

    /// An analysis from its parts (in part order): its seconds are the sum of its parts' and the
    /// assembly's.
    private func assemble(_ analysis: ConfiguredAnalysis, _ mine: [PartResult], report: ReportContext) -> AnalysisResult {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = Result { () throws(AnalysisError) in
            var values: [any Sendable] = []
            for part in mine { values.append(try part.value.get()) }
            return try analysis.assemble(values, report: report)
        }
        return AnalysisResult(outcome: outcome, seconds: mine.reduce(0) { $0 + $1.seconds } + Self.seconds(clock.now - start))
    }

    /// Tells ``PipelineRunner/progress`` of each task and analysis as it finishes: counted by the
    /// task that finished it, told on a serial queue of its own (one call at a time, in the order
    /// counted), so that a progress display that blocks (a terminal on hold) holds no task up.
    final class ProgressCounter: Sendable {
        private let progress: (@Sendable (RunProgress) -> Void)?
        private let totals: (tasks: Int, analyses: Int)
        private let done = Mutex<(tasks: Int, analyses: Int)>((0, 0))
        private let queue = DispatchQueue(label: "cohortd.progress")

        init(progress: (@Sendable (RunProgress) -> Void)?, tasks: Int, analyses: Int) {
            self.progress = progress
            totals = (tasks, analyses)
        }

        /// A task is done, and with it the analysis given (run whole, or assembled from its parts).
        func taskFinished(analysis: (id: String, plugin: String, result: AnalysisResult)?) {
            guard let progress else { return }
            done.withLock { done in
                done.tasks += 1
                var events: [RunProgress] = [.taskFinished(done: done.tasks, total: totals.tasks)]
                if let analysis {
                    done.analyses += 1
                    let succeeded = if case .success = analysis.result.outcome { true } else { false }
                    events.append(
                        .analysisFinished(
                            id: analysis.id, plugin: analysis.plugin, seconds: analysis.result.seconds, succeeded: succeeded,
                            done: done.analyses, total: totals.analyses))
                }
                // Queued under the lock: the queue's order is the counts' order.
                let told = events
                queue.async { for event in told { progress(event) } }
            }
        }

        /// Returns once every event counted so far has been told.
        func drain() { queue.sync {} }
    }

    /// The parts of one analysis as their tasks bring them in: the one that brings the last gets
    /// them all, in part order.
    final class PartCollector: Sendable {
        private let count: Int
        private let parts = Mutex<[PartResult]>([])

        init(count: Int) { self.count = count }

        /// Adds a part; every part, in order, when it was the last one missing, else `nil`.
        func add(_ part: PartResult) -> [PartResult]? {
            parts.withLock { parts in
                parts.append(part)
                return parts.count == count ? parts.sorted { $0.part < $1.part } : nil
            }
        }
    }

    /// Cohorts at least this large have their analyses' parts computed as tasks of their own.
    public static let partitionThreshold = 20_000

    /// What a task of a wave produced: one part of an analysis (the analysis not yet complete), or
    /// a whole analysis (run whole, or assembled by the task of its last part).
    enum TaskOutput: Sendable {
        case part
        case whole(Int, AnalysisResult)
        /// The survival outcome is extracted (and cached in the input).
        case prepared
    }

    /// One part of an analysis, computed.
    struct PartResult: Sendable {
        var part: Int
        var value: Result<any Sendable, AnalysisError>
        var seconds: Double
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

import CohortPipeline
import CohortStore

extension Store.Run {
    /// The journal's run record of a run, published in `folder`: the same id, times, status and
    /// seconds as its results.json.
    init(_ result: RunResult, folder: String) {
        let errors = result.analysisErrors.map { "\($0.id): \($0.error.message)" }
        self.init(
            runID: result.id, pipeline: result.pipeline, pipelineSHA256: result.pipelineSHA256, version: PipelineRunner.version,
            started: result.started, finished: result.finished, status: result.status.rawValue,
            error: errors.isEmpty ? nil : errors.joined(separator: "; "),
            resultsPath: folder, readSeconds: result.seconds?.read, analysisSeconds: result.seconds?.analyses)
    }
}

extension Store.Analysis {
    /// The journal's rows for a run's analyses. `results` (one per analysis, as
    /// ``RunWriter/filesAndResults(for:pipeline:info:)`` cuts them from results.json) saves
    /// serialising them again; without it each result is serialised here.
    static func rows(of result: RunResult, results: [String?]? = nil) -> [Store.Analysis] {
        result.analyses.enumerated().map { k, analysis in
            Store.Analysis(
                runID: result.id, id: analysis.id, plugin: analysis.plugin, status: analysis.status.rawValue,
                seconds: analysis.seconds,
                result: results.flatMap { k < $0.count ? $0[k] : nil } ?? analysis.result.map { $0.serialized(indent: 0) },
                error: analysis.error?.message)
        }
    }
}

/// What the runner tells a progress display while a run's analyses go on (``PipelineRunner/progress``).
/// Counts and the analyses' own ids only: never a cell value.
public enum RunProgress: Sendable {
    /// A task (an analysis, or one part of a partitioned one) finished: `done` of `total` tasks
    /// of the run so far.
    case taskFinished(done: Int, total: Int)
    /// An analysis finished (all its parts assembled): its id and plugin, its seconds as
    /// results.json gives them, whether it succeeded; `done` of `total` analyses so far.
    case analysisFinished(id: String, plugin: String, seconds: Double, succeeded: Bool, done: Int, total: Int)
}

import Dispatch

/// Where reading and analysing run: a task executor on a dispatch queue of its own, off Swift's
/// cooperative pool, so that a long analysis never starves the services that scan the drop
/// directory, ping the watchdog and write the status (each of them runs on the cooperative pool).
///
/// Tasks started with `withTaskExecutorPreference(executor)` run their jobs here, and so do their
/// child tasks (a partitioned analysis's parts).
public final class AnalysisExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "cohortd.analysis", attributes: .concurrent)

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

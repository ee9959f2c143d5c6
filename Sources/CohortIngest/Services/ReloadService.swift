public import CohortConfiguration
public import CohortPipeline
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Reloads the pipelines on request (SIGHUP): RELOADING=1, then the configuration and pipelines
/// parsed and validated off the ingest loop within a time budget; installed only when all are
/// valid (the files in work keep the pipeline they started with), else refused with the old ones
/// kept; then READY=1. Requests that arrive during a reload are coalesced into one more reload.
public struct ReloadService: Service {
    /// Reload requests: SIGHUPs in the daemon, anything in tests. Buffered newest-one, which is
    /// what coalesces them.
    public let requests: AsyncStream<Void>
    public let state: IngestState
    public let notifier: any ServiceNotifier
    public let clock: any IngestClock
    public let logger: Logger
    /// Loads the set anew (reads the daemon configuration and the pipelines directory).
    public let load: @Sendable () throws -> PipelineSet
    /// A reload that takes longer is refused (the old pipelines stay in force).
    public var budget: Duration = .seconds(10)

    public init(
        requests: AsyncStream<Void>, state: IngestState, notifier: any ServiceNotifier, clock: any IngestClock, logger: Logger,
        load: @escaping @Sendable () throws -> PipelineSet
    ) {
        self.requests = requests
        self.state = state
        self.notifier = notifier
        self.clock = clock
        self.logger = logger
        self.load = load
    }

    /// A request stream that keeps at most one pending request, and its continuation.
    public static func makeRequests() -> (AsyncStream<Void>, AsyncStream<Void>.Continuation) {
        AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in requests {
                await reload()
            }
        }
    }

    /// One reload.
    public func reload() async {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
        switch await Self.race(budget: budget, clock: clock, load) {
        case .success(let set):
            await state.install(set)
            logger.notice("reloaded", metadata: ["pipelines": "\(set.pipelines.count)"])
        case .failure(let error):
            await state.refuseReload("\(error)")
            logger.error("reload refused, the old configuration stays in force", metadata: ["error": "\(error)"])
        }
        notifier.notify("READY=1")
    }

    /// Why a reload was refused for time.
    public struct TimedOut: Error, CustomStringConvertible {
        public var budget: Duration
        public var description: String { "reload: the configuration took longer than \(budget) to load; refused" }
    }

    /// Runs `work` on a thread of its own and returns its result, or ``TimedOut`` once `budget`
    /// has passed (the work is then abandoned: its result is dropped when it ends).
    static func race(budget: Duration, clock: any IngestClock, _ work: @escaping @Sendable () throws -> PipelineSet) async -> Result<
        PipelineSet, any Error
    > {
        let once = Mutex<CheckedContinuation<Result<PipelineSet, any Error>, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            let finish: @Sendable (Result<PipelineSet, any Error>) -> Void = { result in
                once.withLock { pending in
                    pending?.resume(returning: result)
                    pending = nil
                }
            }
            Thread.detachNewThread { finish(Result { try work() }) }
            Task {
                try? await clock.sleep(for: budget)
                finish(.failure(TimedOut(budget: budget)))
            }
        }
    }
}

extension ReloadService {
    /// The reload of a daemon: re-reads `configurationFile` (when given) for the pipelines
    /// directory, warns that changed paths, store or workers take effect at the next start, and
    /// loads that directory.
    public static func loader(
        configuration: DaemonConfiguration, configurationFile: String?, plugins: PluginRegistry, logger: Logger
    ) -> @Sendable () throws -> PipelineSet {
        {
            var directory = configuration.pipelines
            if let file = configurationFile {
                let fresh = try DaemonConfiguration(contentsOf: file)
                if fresh.drop != configuration.drop || fresh.state != configuration.state || fresh.results != configuration.results
                    || fresh.store != configuration.store || fresh.workers != configuration.workers
                {
                    logger.warning("reload: changed paths, store or workers take effect at the next start")
                }
                directory = fresh.pipelines
            }
            return try PipelineSet.load(from: directory, registry: plugins)
        }
    }
}

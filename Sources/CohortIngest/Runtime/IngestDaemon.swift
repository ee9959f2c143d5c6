public import CohortConfiguration
public import CohortPipeline
import CohortStore
import Foundation
public import Logging
public import ServiceLifecycle
import SystemPackage
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon, assembled: directories prepared and locked, the journal open and reconciled, the
/// pipelines loaded, and the services to run in one `ServiceGroup` (the executable does the
/// wiring). Everything here is quick: the work found unfinished is queued, not done, so READY=1
/// follows start within a second even after a crash in the middle of a large file.
public struct IngestDaemon: Sendable {
    /// In the order a `ServiceGroup` should get them: it shuts down in reverse order, so the
    /// ingest loop (last) stops first and finishes its files while the others still run.
    public let services: [any Service]
    /// The services as a `ServiceGroup` takes them: the ingest loop ending (after a graceful
    /// shutdown) shuts the group down; any service throwing cancels it (the process exits non-zero).
    public var serviceConfigurations: [ServiceGroupConfiguration.ServiceConfiguration] {
        services.enumerated().map { k, service in
            k == services.count - 1 ? .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup) : .init(service: service)
        }
    }
    public let state: IngestState
    let locks: [DirectoryLock]

    /// Prepares the daemon of `configuration`.
    ///
    /// - Throws: ``DaemonError`` (`directory`, `cross_device`, `locked`, `already_running`) or
    ///   ``ConfigurationError`` when it cannot start.
    public static func prepare(
        configuration: DaemonConfiguration, configurationFile: String?, plugins: PluginRegistry, logger: Logger,
        notifier: any ServiceNotifier = SystemdNotifier(), clock: any IngestClock = SystemClock()
    ) async throws -> IngestDaemon {
        let layout = DaemonLayout(configuration)
        try layout.prepare()
        // One daemon per drop directory and per state directory, whatever the other is.
        let locks = [
            try DirectoryLock(directory: layout.drop, code: .alreadyRunning, message: "another cohortd watches the drop directory \(layout.drop)"),
            try DirectoryLock(directory: layout.state, code: .locked, message: "another cohortd is running on \(layout.state)"),
        ]
        let journal = try Store(path: configuration.store)
        let pipelines = try PipelineSet.load(from: configuration.pipelines, registry: plugins)
        let files: DirectoryFileSystem
        do { files = try DirectoryFileSystem(layout: layout) } catch {
            throw DaemonError(.directory, "cannot open the daemon's directories: \(error)")
        }
        let budget: Int64
        switch configuration.memoryBudget {
        case .auto: budget = MemoryBudget.automatic()
        case .bytes(let bytes): budget = bytes
        }
        let state = IngestState(pipelines: pipelines, memoryBudget: budget)
        logger.info(
            "starting",
            metadata: [
                "pipelines": "\(pipelines.pipelines.count)", "workers": "\(configuration.workers)", "memory_budget_mib": "\(budget >> 20)",
            ])
        let options = IngestOptions(configuration)
        let environment = IngestEnvironment(files: files, journal: journal, state: state, clock: clock, options: options, logger: logger)
        let (resumed, _) = try Reconciler(files: files, journal: journal, logger: logger).reconcile()
        let events = InotifyDropEvents(root: { [files] in files.dropHandle })
        let (requests, requester) = ReloadService.makeRequests()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let statusFile: FilePath.Component = "daemon-status.json"
        let ingest = IngestService(environment: environment, events: events, notifier: notifier, resumed: resumed, executor: AnalysisExecutor())
        let reload = ReloadService(
            requests: requests, state: state, notifier: notifier, clock: clock, logger: logger,
            load: ReloadService.loader(configuration: configuration, configurationFile: configurationFile, plugins: plugins, logger: logger))
        let status = StatusService(
            state: state, journal: journal, notifier: notifier, clock: clock,
            write: { bytes in try? files.state.write(bytes, as: statusFile, sync: false) })
        return IngestDaemon(
            services: [
                WatchdogService(state: state, notifier: notifier, clock: clock), status, SignalForwarder(signals: hangups, requests: requester),
                reload, ingest,
            ],
            state: state, locks: locks)
    }
}

/// Turns SIGHUPs into reload requests (trapped from before READY=1 until the daemon stops).
struct SignalForwarder: Service {
    let signals: UnixSignalsSequence
    let requests: AsyncStream<Void>.Continuation

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in signals { requests.yield() }
        }
        requests.finish()
    }
}

/// An exclusive flock on a directory itself (not a file in it), held while the daemon runs.
final class DirectoryLock: Sendable {
    let descriptor: Int32

    init(directory: String, code: DaemonError.Code, message: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DaemonError(.directory, "cannot open \(directory) (errno \(errno))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DaemonError(code, message)
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

public import CohortConfiguration
import CohortJSON
public import CohortPipeline
import CohortStore
import Foundation
public import Logging
public import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// The service: recovers unfinished work, then takes complete files from the drop directory and
/// processes up to `workers` of them at once. On graceful shutdown (a `ServiceGroup` maps SIGTERM
/// and SIGINT to it) or cancellation it stops taking files and lets the files in work finish;
/// SIGHUP reloads the pipelines.
public struct Daemon: Service, Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    /// Seconds between scans of the drop directory when inotify is unavailable.
    public var pollInterval: Double
    /// The configuration file, re-read on reload.
    public let configurationFile: String?
    /// Set by the SIGHUP handler; the loop reloads at its next turn.
    public let reloads = ReloadRequests()
    /// The analyses pipelines may name.
    public let plugins: PluginRegistry

    public init(
        configuration: DaemonConfiguration, configurationFile: String? = nil, plugins: PluginRegistry, logger: Logger,
        pollInterval: Double = 1
    ) {
        self.configuration = configuration
        self.configurationFile = configurationFile
        self.plugins = plugins
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Runs until graceful shutdown or cancellation.
    ///
    /// - Throws: ``DaemonError`` or ``ConfigurationError`` when it cannot start.
    public func run() async throws {
        let stop = StopSignal()
        // SIGHUP → reload, from before readiness until the daemon returns.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let reloader = Task { [reloads] in for await _ in hangups { reloads.request() } }
        defer { reloader.cancel() }
        try await withGracefulShutdownHandler {
            try await work(until: stop)
        } onGracefulShutdown: {
            stop.set()
        }
    }

    private func work(until stop: StopSignal) async throws {
        let layout = DaemonLayout(configuration)
        try layout.prepare()
        let lock = try StateLock(directory: layout.state)
        defer { lock.release() }
        let store = try Store(path: configuration.store)
        let pipelines = PipelineHolder(try PipelineSet.load(from: configuration.pipelines, registry: plugins))
        logger.info("starting", metadata: ["pipelines": "\(pipelines.current.pipelines.count)", "workers": "\(configuration.workers)"])
        let processor = FileProcessor(
            layout: layout, store: store, pipelines: pipelines,
            skipDuplicates: configuration.duplicates == .skip,
            maxFileSize: configuration.maxFileSize, logger: logger)
        await processor.recover()
        let scanner = DropScanner(root: layout.drop, settle: configuration.settle)
        let notifier = SystemdNotifier()
        let taking = TakingSet()
        var stateInfo = stat()
        let stateDevice = stat(layout.state, &stateInfo) == 0 ? UInt64(stateInfo.st_dev) : nil
        let watcher = InotifyWatcher(root: layout.drop, device: stateDevice)
        if watcher == nil { logger.warning("inotify unavailable: relying on rescans") }
        var health = InotifyWatcher.Health(degraded: nil, canTake: true)
        var lastOverflows = 0
        defer { watcher?.stop() }
        reloads.onRequest = { watcher?.wake() }
        stop.onSet = { watcher?.wake() }
        let clock = ContinuousClock()
        var lastPing = clock.now
        var announced = false
        var lastStatus = ""
        var backlog: [DropEntry] = []
        var next = 0
        var lastScan = clock.now
        // Without new events, files written in place are re-checked this often for settling.
        let scanInterval: Duration = .milliseconds(Int64(max(0.05, min(configuration.settle, 0.25)) * 1000))
        var lastReloadError: String? = nil
        var wroteStatus = false
        let started = Date()
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled && !stop.isSet {
                // Take what is ready, up to `workers` files at once; the loop keeps scanning and
                // pinging the watchdog while they run.
                if reloads.take() { reload(pipelines, notifier: notifier) }
                // The drop directory still the watched one? (Re-created and re-watched if not.)
                if let watcher {
                    let now = watcher.verifyRoot()
                    if now != health {
                        if let problem = now.degraded {
                            logger.warning("watch degraded", metadata: ["reason": "\(problem)"])
                        } else {
                            logger.notice("watch recovered")
                        }
                        health = now
                        wroteStatus = false
                    }
                    let overflows = watcher.overflows
                    if overflows != lastOverflows {
                        logger.warning("inotify queue overflowed: rescanning", metadata: ["overflows": "\(overflows)"])
                        lastOverflows = overflows
                    }
                }
                // Scan when something arrived, when due, or when the backlog of ready files is used
                // up; a worker becoming free otherwise takes the next file of the backlog.
                let rescan = watcher?.takeRescanNeeded() ?? true
                let renamed = watcher?.takeRenamed() ?? []
                if rescan || next >= backlog.count || clock.now - lastScan >= scanInterval {
                    backlog = scanner.scan(arrivedByRename: renamed).filter { !taking.contains($0.relativePath) }
                    next = 0
                    lastScan = clock.now
                } else if !renamed.isEmpty {
                    // Renamed in: complete, queued without walking the tree again.
                    let queued = Set(backlog[next...].map(\.relativePath))
                    backlog += scanner.arrived(renamed).filter { !taking.contains($0.relativePath) && !queued.contains($0.relativePath) }
                }
                // Files whose output could not be written (disk full, permissions), when due.
                for retry in processor.retries.due(limit: configuration.workers - taking.count) {
                    let key = "retry:" + retry.runID
                    taking.insert(key)
                    group.addTask {
                        await processor.process(runID: retry.runID, name: retry.name)
                        taking.remove(key)
                        watcher?.wake()
                    }
                }
                while health.canTake && taking.count < configuration.workers && next < backlog.count {
                    let entry = backlog[next]
                    next += 1
                    var info = stat()
                    guard lstat(entry.path, &info) == 0, !taking.contains(entry.relativePath) else { continue }
                    if entry.unsupportedKind == nil && DropScanner.isOpenForWriting(entry.path) {
                        scanner.holdBack(entry.relativePath)
                        continue
                    }
                    scanner.forget(entry.relativePath)
                    taking.insert(entry.relativePath)
                    group.addTask {
                        await processor.take(entry)
                        taking.remove(entry.relativePath)
                        watcher?.wake()  // a worker is free: look for the next file now
                    }
                }
                if !announced {
                    // Signal handling is installed by the caller before this runs; the first scan is done.
                    notifier.notify("READY=1\nSTATUS=watching the drop directory")
                    logger.info("ready")
                    announced = true
                }
                if let interval = notifier.watchdogInterval, clock.now - lastPing >= interval {
                    notifier.notify("WATCHDOG=1")
                    lastPing = clock.now
                }
                let reloadError = pipelines.lastReloadError
                if reloadError != lastReloadError || !wroteStatus {
                    // `cohortd status` reads the daemon's own view from state/daemon-status.json.
                    let document: JSONValue = .object([
                        ("pid", .number(Double(getpid()))),
                        ("started", .string(ISO8601DateFormatter().string(from: started))),
                        ("pipelines", .array(pipelines.current.pipelines.map { .string($0.pipeline.name) })),
                        (
                            "reload",
                            reloadError.map { .object([("status", .string("refused")), ("error", .string($0))]) }
                                ?? .object([("status", .string("ok"))])
                        ),
                        (
                            "watch",
                            health.degraded.map { .object([("status", .string("degraded")), ("reason", .string($0))]) }
                                ?? .object([("status", .string(watcher == nil ? "polling" : "ok"))])
                        ),
                    ])
                    try? FileOps.write(Array((document.serialized() + "\n").utf8), to: layout.state + "/daemon-status.json")
                    lastReloadError = reloadError
                    wroteStatus = true
                }
                if notifier.isEnabled {
                    let counts = (try? store.stateCounts()) ?? [:]
                    let reloadNote = pipelines.lastReloadError == nil ? "" : "; last reload refused (old pipelines in force)"
                    let waiting = processor.retries.count
                    let retryNote = waiting == 0 ? "" : "; \(waiting) waiting to retry writing results (disk full or permissions?)"
                    let degradedNote = health.degraded.map { "degraded: \($0); " } ?? ""
                    let status =
                        "STATUS=\(degradedNote)\(taking.count) in work, \(counts[.archived] ?? 0) analysed, \(counts[.failed] ?? 0) failed\(reloadNote)\(retryNote)"
                    if status != lastStatus { notifier.notify(status) }
                    lastStatus = status
                }
                // Sleep until inotify reports something, a file may have settled, the watchdog is
                // due, or the safety rescan: no busy polling.
                var timeout = watcher == nil ? pollInterval : configuration.rescan
                if scanner.pendingCount > 0 || taking.count > 0 { timeout = min(timeout, max(0.05, min(configuration.settle, 0.25))) }
                if processor.retries.count > 0 || health.degraded != nil { timeout = min(timeout, 1) }
                if let interval = notifier.watchdogInterval { timeout = min(timeout, Double(interval.components.seconds) + 0.001) }
                timeout = max(timeout, 0.05)
                if let watcher {
                    await watcher.wait(timeout: .milliseconds(Int64(timeout * 1000)))
                    if Task.isCancelled || stop.isSet { break }
                } else {
                    do { try await Task.sleep(for: .milliseconds(Int64(timeout * 1000))) } catch { break }
                }
            }
            notifier.notify("STOPPING=1\nSTATUS=finishing the files in work")
            logger.notice("stopping: finishing the files in work", metadata: ["count": "\(taking.count)"])
            await group.waitForAll()
        }
        logger.info("stopped")
    }
}

extension Daemon {
    /// Validates the configuration and pipelines anew; installs the new pipelines only when all
    /// are valid, else keeps the old ones and reports the error (file:line:column).
    func reload(_ holder: PipelineHolder, notifier: SystemdNotifier) {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
        do {
            var directory = configuration.pipelines
            if let file = configurationFile {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                let fresh = try DaemonConfiguration(
                    yaml: text, file: file,
                    directory: URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path)
                if fresh.drop != configuration.drop || fresh.state != configuration.state || fresh.results != configuration.results
                    || fresh.store != configuration.store || fresh.workers != configuration.workers
                {
                    logger.warning("reload: changed paths, store or workers take effect at the next start")
                }
                directory = fresh.pipelines
            }
            let set = try PipelineSet.load(from: directory, registry: plugins)
            holder.replace(with: set)
            logger.notice("reloaded", metadata: ["pipelines": "\(set.pipelines.count)"])
        } catch {
            holder.recordReloadFailure("\(error)")
            logger.error("reload refused, the old configuration stays in force", metadata: ["error": "\(error)"])
        }
        notifier.notify("READY=1")
    }
}

/// Set once when the daemon should stop taking files.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var hook: (@Sendable () -> Void)?

    var isSet: Bool { lock.withLock { flag } }

    var onSet: (@Sendable () -> Void)? {
        get { lock.withLock { hook } }
        set { lock.withLock { hook = newValue } }
    }

    func set() {
        lock.withLock { flag = true }
        onSet?()
    }
}

/// Reload requests from SIGHUP, taken by the work loop.
public final class ReloadRequests: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    var onRequest: (@Sendable () -> Void)? {
        get { lock.withLock { hook } }
        set { lock.withLock { hook = newValue } }
    }
    private var hook: (@Sendable () -> Void)?

    /// Asks the loop to reload at its next turn.
    public func request() {
        lock.withLock { requested = true }
        onRequest?()
    }

    func take() -> Bool {
        lock.withLock {
            let r = requested
            requested = false
            return r
        }
    }
}

/// An exclusive lock on the state directory: one daemon per state directory.
struct StateLock {
    let fd: Int32

    init(directory: String) throws {
        fd = open(directory + "/cohortd.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw DaemonError(.locked, "cannot open the lock file in \(directory) (errno \(errno))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DaemonError(.locked, "another cohortd is running on \(directory)")
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Relative paths of drop entries being taken (so a later scan does not take them twice).
final class TakingSet: @unchecked Sendable {
    private let lock = NSLock()
    private var paths = Set<String>()

    var count: Int { lock.withLock { paths.count } }
    func contains(_ path: String) -> Bool { lock.withLock { paths.contains(path) } }
    func insert(_ path: String) { _ = lock.withLock { paths.insert(path) } }
    func remove(_ path: String) { _ = lock.withLock { paths.remove(path) } }
}

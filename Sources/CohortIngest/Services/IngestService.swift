import CohortPipeline
import Foundation
public import ServiceLifecycle
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The ingest loop: watches the drop directory (events and safety rescans), decides which files
/// are complete, and starts a journey for each, up to `workers` at once, on the analysis
/// executor. Journeys resumed from the journal at start are queued first, as ordinary work.
///
/// It sends READY=1 as soon as it starts (reconciliation is done before, and is quick) and
/// STOPPING=1 on graceful shutdown, after which it takes no file and waits for the journeys in
/// work (those waiting to retry are postponed to the next start). It throws ``DaemonError``
/// `state_lost` when the state directory vanishes, so that the service group stops and the
/// process exits non-zero (systemd restarts it).
public struct IngestService: Service {
    public let environment: IngestEnvironment
    public let events: (any DropEventSource)?
    public let notifier: any ServiceNotifier
    public let resumed: [ResumedJourney]
    public let executor: AnalysisExecutor?
    /// How often the loop looks at the clock (settling files, health, rescans).
    public var tick: Duration = .milliseconds(250)
    /// Wall-clock time in nanoseconds since the epoch (compared with modification times).
    public var wallClock: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public init(
        environment: IngestEnvironment, events: (any DropEventSource)?, notifier: any ServiceNotifier, resumed: [ResumedJourney] = [],
        executor: AnalysisExecutor? = nil
    ) {
        self.environment = environment
        self.events = events
        self.notifier = notifier
        self.resumed = resumed
        self.executor = executor
    }

    enum Trigger: Sendable {
        case event(DropEvent)
        case tick
        case finished
        case stop
    }

    public func run() async throws {
        let (triggers, feed) = AsyncStream.makeStream(of: Trigger.self)
        try await withGracefulShutdownHandler {
            try await loop(triggers, feed)
        } onGracefulShutdown: {
            feed.yield(.stop)
        }
    }

    private func loop(_ triggers: AsyncStream<Trigger>, _ feed: AsyncStream<Trigger>.Continuation) async throws {
        let env = environment
        let logger = env.logger
        await env.state.becameReady()
        notifier.notify("READY=1\nSTATUS=watching the drop directory")
        logger.info("ready", metadata: ["resumed": "\(resumed.count)", "workers": "\(env.options.workers)"])
        if events == nil { logger.warning("inotify unavailable: relying on rescans") }
        var loopError: (any Error)?
        await withTaskGroup(of: Void.self) { helpers in
            if let events {
                helpers.addTask {
                    for await event in events.events { feed.yield(.event(event)) }
                }
            }
            helpers.addTask { [tick, clock = env.clock] in
                while !Task.isCancelled {
                    do { try await clock.sleep(for: tick) } catch { break }
                    feed.yield(.tick)
                }
            }
            var scheduler = Scheduler(service: self, feed: feed)
            await withTaskGroup(of: Void.self) { journeys in
                scheduler.scan(force: true)
                await scheduler.start(into: &journeys)
                for await trigger in triggers {
                    await env.state.turnBegan(at: env.clock.now)
                    do {
                        if try await scheduler.handle(trigger) == false { break }
                    } catch {
                        loopError = error
                        break
                    }
                    await scheduler.start(into: &journeys)
                    await env.state.turnEnded()
                }
                await env.state.turnEnded()
                await env.state.beginStopping()
                if loopError != nil {
                    journeys.cancelAll()
                } else {
                    notifier.notify("STOPPING=1\nSTATUS=finishing the files in work")
                    let count = await env.state.inWork
                    logger.notice("stopping: finishing the files in work", metadata: ["count": "\(count)"])
                }
                await journeys.waitForAll()
            }
            helpers.cancelAll()
        }
        if let loopError { throw loopError }
        logger.info("stopped")
    }

    /// The loop's bookkeeping between triggers.
    struct Scheduler {
        let service: IngestService
        let feed: AsyncStream<Trigger>.Continuation
        var scanner: DropScanner
        var backlog: [DropEntry] = []
        var queued: Set<String> = []
        var resumed: [ResumedJourney]
        var lastScan: Duration = .zero
        var needScan = false
        var healthy = true
        var lastOverflowLog: Duration?
        var dropGeneration = 0

        init(service: IngestService, feed: AsyncStream<Trigger>.Continuation) {
            self.service = service
            self.feed = feed
            scanner = DropScanner(settle: service.environment.options.settle)
            resumed = service.resumed
        }

        var env: IngestEnvironment { service.environment }

        /// Handles a trigger; `false` to stop.
        mutating func handle(_ trigger: Trigger) async throws -> Bool {
            let now = env.clock.now
            switch trigger {
            case .stop:
                return false
            case .finished:
                break
            case .event(.arrived(let path)):
                if let entry = env.files.lookup(path) {
                    scanner.arrivedByRename([entry.key])
                    enqueue(scanner.readyAmong([entry], now: now, wallNow: service.wallClock()))
                }
            case .event(.changed):
                needScan = true
            case .event(.rescan(let overflow)):
                needScan = true
                if overflow, lastOverflowLog.map({ now - $0 >= .seconds(10) }) ?? true {
                    env.logger.warning("inotify queue overflowed: rescanning", metadata: ["overflows": "\(overflowCount)"])
                    lastOverflowLog = now
                }
            case .tick:
                try await checkHealth()
                let rescan = Duration.nanoseconds(Int64(env.options.rescan * 1e9))
                let settlePoll = Duration.nanoseconds(Int64(max(0.05, min(env.options.settle, 0.25)) * 1e9))
                if now - lastScan >= rescan || (service.events == nil && now - lastScan >= .seconds(1))
                    || (scanner.pendingCount > 0 && now - lastScan >= settlePoll)
                {
                    needScan = true
                }
            }
            if needScan && now - lastScan >= .milliseconds(50) { scan() }
            return true
        }

        var overflowCount: Int { (service.events as? InotifyDropEvents)?.overflows ?? 0 }

        mutating func checkHealth() async throws {
            switch env.files.health() {
            case .stateLost(let reason):
                env.logger.critical("the state directory is gone: stopping", metadata: ["reason": "\(reason)"])
                throw DaemonError(.stateLost, reason)
            case .dropDegraded(let reason):
                if healthy { env.logger.warning("watch degraded", metadata: ["reason": "\(reason)"]) }
                healthy = false
                await env.state.raise(.watch, reason)
            case .healthy:
                let generation = env.files.dropGeneration
                if generation != dropGeneration {
                    dropGeneration = generation
                    service.events?.rewatch()
                    needScan = true
                }
                if !healthy {
                    env.logger.notice("watch recovered")
                    healthy = true
                    await env.state.clear(.watch)
                    service.events?.rewatch()
                    needScan = true
                }
            }
        }

        /// Lists the drop tree and queues what is ready.
        mutating func scan(force: Bool = false) {
            let now = env.clock.now
            needScan = false
            lastScan = now
            guard healthy || force, let listing = try? env.files.listDrop() else { return }
            let ready = scanner.ready(listing, now: now, wallNow: service.wallClock())
            backlog = []
            queued = []
            enqueue(ready)
        }

        mutating func enqueue(_ entries: [DropEntry]) {
            for entry in entries where !queued.contains(entry.key) {
                queued.insert(entry.key)
                backlog.append(entry)
            }
        }

        /// Starts journeys while there is room: resumed ones first, then ready drop entries.
        mutating func start(into journeys: inout TaskGroup<Void>) async {
            let state = env.state
            while await state.inWork < env.options.workers, await state.mayStart {
                if !resumed.isEmpty {
                    let next = resumed.removeFirst()
                    await state.resume(1)
                    launch(next.file, from: next.step, key: nil, into: &journeys)
                    continue
                }
                guard healthy, await state.mayClaim, !backlog.isEmpty else { return }
                let entry = backlog.removeFirst()
                queued.remove(entry.key)
                if entry.identity.kind == .regular && env.files.isOpenForWriting(entry.path) {
                    scanner.holdBack(entry, now: env.clock.now)
                    continue
                }
                guard await state.take(entry.key) else { continue }
                scanner.forget(entry.key)
                let file = JourneyRunner.File(runID: RunInfo.newID(), path: entry.path, identity: entry.identity)
                launch(file, from: .claim, key: entry.key, into: &journeys)
            }
        }

        func launch(_ file: JourneyRunner.File, from step: IngestJourney.Step, key: String?, into journeys: inout TaskGroup<Void>) {
            let env = self.env
            let feed = self.feed
            let work: @Sendable () async -> Void = {
                var runner = JourneyRunner(environment: env, file: file, from: step)
                _ = await runner.run()
                if let key { await env.state.release(key) } else { await env.state.resume(-1) }
                feed.yield(.finished)
            }
            if let executor = service.executor {
                journeys.addTask(executorPreference: executor, operation: work)
            } else {
                journeys.addTask(operation: work)
            }
        }
    }
}

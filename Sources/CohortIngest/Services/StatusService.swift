public import CohortJSON
public import CohortStore
public import Foundation
public import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Publishes the daemon's state whenever it changes (looked at every `interval`): `STATUS=` to
/// systemd and `state/daemon-status.json` for `cohortd status`. Both carry counts, the pipelines'
/// names and the reasons the daemon is degraded; never a file name or a value.
public struct StatusService: Service {
    public let state: IngestState
    public let journal: Store
    public let notifier: any ServiceNotifier
    public let clock: any IngestClock
    /// Writes the status document (`state/daemon-status.json`, temp file then rename, 0640).
    public let write: @Sendable ([UInt8]) -> Void
    public var interval: Duration = .seconds(1)
    let started = Date()

    public init(
        state: IngestState, journal: Store, notifier: any ServiceNotifier, clock: any IngestClock, write: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.state = state
        self.journal = journal
        self.notifier = notifier
        self.clock = clock
        self.write = write
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var shown: Int? = nil
            var lastStatus = ""
            var wasReady = false
            while !Task.isCancelled {
                let version = await state.version
                let ready = await state.isReady
                if version != shown || ready != wasReady {
                    shown = version
                    wasReady = ready
                    let snapshot = await Snapshot(state)
                    write(Array((snapshot.document(started: started).serialized() + "\n").utf8))
                    let line = snapshot.statusLine(counts: (try? journal.stateCounts()) ?? [:])
                    // STATUS= only after READY=1 (which carries the first status line).
                    if line != lastStatus, ready {
                        notifier.notify("STATUS=" + line)
                        lastStatus = line
                    }
                }
                do { try await clock.sleep(for: interval) } catch { break }
            }
        }
    }

    /// The state at one moment.
    public struct Snapshot: Sendable {
        public var inWork: Int
        public var retrying: Int
        public var pipelines: [String]
        public var concerns: [IngestState.Concern: String]
        public var lastReloadError: String?
        public var memoryReserved: Int64
        public var memoryTotal: Int64

        public init(_ state: IngestState) async {
            inWork = await state.inWork
            retrying = await state.retrying
            pipelines = await state.pipelines.pipelines.map(\.pipeline.name)
            concerns = await state.concerns
            lastReloadError = await state.lastReloadError
            memoryReserved = await state.memoryReserved
            memoryTotal = await state.memoryTotal
        }

        /// `STATUS=`: "degraded: …; " first when degraded, then the counts.
        public func statusLine(counts: [Store.InputState: Int]) -> String {
            let degraded = concerns.keys.sorted().filter { $0 != .reload }.compactMap { concerns[$0] }
            var line = degraded.isEmpty ? "" : "degraded: " + degraded.joined(separator: "; ") + "; "
            line += "\(inWork) in work, \(counts[.archived] ?? 0) analysed, \(counts[.failed] ?? 0) failed"
            if lastReloadError != nil { line += "; last reload refused (old pipelines in force)" }
            if retrying > 0 { line += "; \(retrying) waiting to retry" }
            return line
        }

        /// `state/daemon-status.json`.
        public func document(started: Date) -> JSONValue {
            .object([
                ("pid", .number(Double(getpid()))),
                ("started", .string(ISO8601DateFormatter().string(from: started))),
                ("pipelines", .array(pipelines.map { .string($0) })),
                (
                    "reload",
                    lastReloadError.map { .object([("status", .string("refused")), ("error", .string($0))]) }
                        ?? .object([("status", .string("ok"))])
                ),
                (
                    "watch",
                    concerns[.watch].map { .object([("status", .string("degraded")), ("reason", .string($0))]) }
                        ?? .object([("status", .string("ok"))])
                ),
                (
                    "degraded",
                    .array(concerns.keys.sorted().map { .object([("concern", .string($0.rawValue)), ("reason", .string(concerns[$0] ?? ""))]) })
                ),
                ("in_work", .number(Double(inWork))),
                ("retrying", .number(Double(retrying))),
                ("memory", .object([("reserved", .number(Double(memoryReserved))), ("budget", .number(Double(memoryTotal)))])),
            ])
        }
    }
}

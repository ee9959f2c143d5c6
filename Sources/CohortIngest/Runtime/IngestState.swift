/// What the services share while the daemon runs: the pipelines in force, the files in work, the
/// memory budget, the reasons the daemon is degraded and the work loop's liveness.
///
/// An actor: the ingest loop, the journeys, the reload, status and watchdog services read and
/// change it from their own tasks.
public actor IngestState {
    /// Why the daemon is degraded, by source (one line each in `STATUS=` and the status file).
    public enum Concern: String, Sendable, Hashable, CaseIterable, Comparable {
        case noSpace = "no_space"
        case watch
        case reload
        case journal

        public static func < (a: Concern, b: Concern) -> Bool { a.rawValue < b.rawValue }
    }

    public private(set) var pipelines: PipelineSet
    public private(set) var lastReloadError: String?
    /// Drop entries (escaped relative paths) taken and not finished.
    public private(set) var taking: Set<String> = []
    /// Journeys waiting to retry a step.
    public private(set) var retrying = 0
    /// Journeys running (including those waiting to retry).
    public var inWork: Int { taking.count + resumed }
    private var resumed = 0
    public private(set) var concerns: [Concern: String] = [:]
    private var budget: MemoryBudget
    private var waiters: [(bytes: Int64, continuation: CheckedContinuation<Void, Never>)] = []
    /// When the loop's current turn started (clock time), or `nil` while it waits for events.
    public private(set) var turnStarted: Duration?
    /// Bumped on every change a status reader may want to show.
    public private(set) var version = 0

    public init(pipelines: PipelineSet, memoryBudget: Int64) {
        self.pipelines = pipelines
        budget = MemoryBudget(total: memoryBudget)
    }

    // MARK: pipelines

    public func install(_ set: PipelineSet) {
        pipelines = set
        lastReloadError = nil
        concerns[.reload] = nil
        version += 1
    }

    public func refuseReload(_ error: String) {
        lastReloadError = error
        concerns[.reload] = "last reload refused (old pipelines in force)"
        version += 1
    }

    // MARK: work

    /// Marks a drop entry taken; `false` when it already is.
    public func take(_ key: String) -> Bool {
        let inserted = taking.insert(key).inserted
        if inserted { version += 1 }
        return inserted
    }

    public func release(_ key: String) {
        taking.remove(key)
        version += 1
    }

    /// A journey resumed from the journal (not from a drop entry) starts or ends.
    public func resume(_ delta: Int) {
        resumed += delta
        version += 1
    }

    public func retryingChanged(by delta: Int) {
        retrying = max(0, retrying + delta)
        version += 1
    }

    // MARK: health

    public func raise(_ concern: Concern, _ message: String) {
        if concerns[concern] != message {
            concerns[concern] = message
            version += 1
        }
    }

    public func clear(_ concern: Concern) {
        if concerns.removeValue(forKey: concern) != nil { version += 1 }
    }

    /// Whether new files may be claimed (not while the disk is full).
    public var mayClaim: Bool { concerns[.noSpace] == nil }

    /// Set once graceful shutdown begins: no journey starts, and journeys waiting to retry stop.
    public private(set) var isStopping = false
    public func beginStopping() {
        isStopping = true
        version += 1
    }
    public var mayStart: Bool { !isStopping }

    /// Whether the ingest loop has started (READY=1 sent): the watchdog pings only after it.
    public private(set) var isReady = false
    public func becameReady() { isReady = true }

    public func turnBegan(at time: Duration) { turnStarted = time }
    public func turnEnded() { turnStarted = nil }

    // MARK: memory

    public var memoryTotal: Int64 { budget.total }
    public var memoryReserved: Int64 { budget.reserved }

    /// Waits until `bytes` fit in the budget, then reserves them. The caller has checked
    /// ``MemoryBudget/canEverFit(_:)`` (via ``memoryTotal``).
    public func reserveMemory(_ bytes: Int64) async {
        let bytes = min(bytes, budget.total)
        if waiters.isEmpty && budget.reserve(bytes) { return }
        await withCheckedContinuation { continuation in waiters.append((bytes, continuation)) }
    }

    public func releaseMemory(_ bytes: Int64) {
        budget.release(min(bytes, budget.total))
        while let first = waiters.first, budget.reserve(first.bytes) {
            waiters.removeFirst()
            first.continuation.resume()
        }
    }
}

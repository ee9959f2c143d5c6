public import ServiceLifecycle

/// Sends WATCHDOG=1 every half of `WATCHDOG_USEC`, only while the ingest loop is live (after READY=1): waiting for
/// events, or in a turn that began less than one interval ago. A loop stuck in a turn (a hung
/// journal write) stops the pings, and systemd restarts the service. Analyses run on their own
/// executor, so a long one never holds the loop (nor this service) up.
public struct WatchdogService: Service {
    public let state: IngestState
    public let notifier: any ServiceNotifier
    public let clock: any IngestClock

    public init(state: IngestState, notifier: any ServiceNotifier, clock: any IngestClock) {
        self.state = state
        self.notifier = notifier
        self.clock = clock
    }

    public func run() async throws {
        guard let interval = notifier.watchdogInterval else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if await isLive(interval: interval) { notifier.notify("WATCHDOG=1") }
                do { try await clock.sleep(for: interval) } catch { break }
            }
        }
    }

    /// Whether the loop is live now: started (so READY=1 comes before the first ping), and waiting
    /// or in a turn younger than one interval.
    public func isLive(interval: Duration) async -> Bool {
        guard await state.isReady else { return false }
        guard let began = await state.turnStarted else { return true }
        return clock.now - began < interval
    }
}

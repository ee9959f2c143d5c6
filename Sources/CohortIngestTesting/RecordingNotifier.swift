public import CohortIngest
import Synchronization

/// A service notifier that keeps what it was told, in order.
public final class RecordingNotifier: ServiceNotifier {
    private let recorded = Mutex<[String]>([])
    public let watchdogInterval: Duration?

    public init(watchdogInterval: Duration? = nil) { self.watchdogInterval = watchdogInterval }

    @discardableResult
    public func notify(_ state: String) -> Bool {
        recorded.withLock { $0.append(state) }
        return true
    }

    /// Every message so far.
    public var messages: [String] { recorded.withLock { $0 } }
}

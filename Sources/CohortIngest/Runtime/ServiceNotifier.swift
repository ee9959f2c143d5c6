/// Where the services report their state to the service manager: systemd's notify socket
/// (``SystemdNotifier``), or a recorder in tests.
///
/// Rules: `notify` never blocks and never throws (a missing socket is not an error);
/// `watchdogInterval` is half the manager's watchdog timeout, or `nil` without a watchdog.
public protocol ServiceNotifier: Sendable {
    @discardableResult func notify(_ state: String) -> Bool
    var watchdogInterval: Duration? { get }
}

extension SystemdNotifier: ServiceNotifier {}

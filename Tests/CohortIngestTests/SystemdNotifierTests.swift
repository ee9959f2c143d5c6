import CohortIngest
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify datagrams reach the socket systemd names, path or abstract.
@Suite struct SystemdNotifierTests {
    /// Binds a datagram socket; `name` starting with "@" is abstract.
    static func listen(_ name: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func receive(_ fd: Int32) -> String { receive(fd, timeout: 10) }

    /// The next datagram, or "" when none comes within `timeout` seconds.
    static func receive(_ fd: Int32, timeout: Double) -> String {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    @Test(arguments: ["path", "abstract"])
    func readyReachesTheSocket(kind: String) throws {
        let name = kind == "path" ? NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8))" : "@cohortd-test-\(UUID().uuidString.prefix(8))"
        let fd = try Self.listen(name)
        defer { close(fd) }
        defer { if kind == "path" { unlink(name) } }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "20000000"])
        #expect(notifier.isEnabled)
        #expect(notifier.watchdogInterval == .seconds(10))
        #expect(notifier.notify("READY=1\nSTATUS=ok"))
        #expect(Self.receive(fd) == "READY=1\nSTATUS=ok")
        #expect(notifier.notify("WATCHDOG=1"))
        #expect(Self.receive(fd) == "WATCHDOG=1")
    }

    @Test func withoutSystemdNothingIsSent() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled && notifier.watchdogInterval == nil)
        #expect(!notifier.notify("READY=1"))
    }
}

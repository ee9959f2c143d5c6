import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches the drop directory tree with inotify on a thread of its own, and wakes the daemon's
/// loop when something arrives. Files renamed in (IN_MOVED_TO) are reported so they can be taken
/// at once; IN_Q_OVERFLOW and the loss of a watch ask for a full rescan (and a re-watch).
public final class InotifyWatcher: @unchecked Sendable {
    private let root: String
    private let fd: Int32
    private let lock = NSLock()
    private var watches: [Int32: String] = [:]      // watch descriptor → relative directory
    private var renamed: Set<String> = []
    private var rescanNeeded = true
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false
    private var stopped = false
    /// Counts IN_Q_OVERFLOW events seen (a metric for logs and tests).
    public private(set) var overflows = 0

    static let directoryMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// - Returns: `nil` when inotify is not available (the daemon then relies on rescans).
    public init?(root: String) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.root = root
        addWatches(root, relative: "")
        Thread.detachNewThread { [self] in readLoop() }
    }

    deinit { close(fd) }

    /// Stops the reader thread (it ends within its poll timeout).
    public func stop() {
        lock.withLock { stopped = true }
        wake()
    }

    /// Files that arrived by rename since the last call (relative paths).
    public func takeRenamed() -> Set<String> {
        lock.withLock {
            let r = renamed
            renamed = []
            return r
        }
    }

    /// Whether an overflow or a lost watch since the last call asks for a rescan.
    public func takeRescanNeeded() -> Bool {
        lock.withLock {
            let r = rescanNeeded
            rescanNeeded = false
            return r
        }
    }

    /// Waits until an event arrives, `timeout` passes or the calling task is cancelled.
    public func wait(timeout: Duration) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = lock.withLock { () -> Bool in
                    if pending || stopped {
                        pending = false
                        return true
                    }
                    waiter = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                    return
                }
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.resumeWaiter()
                }
            }
        } onCancel: {
            wake()
        }
        lock.withLock { pending = false }
    }

    private func resumeWaiter() {
        let w = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            let w = waiter
            waiter = nil
            return w
        }
        w?.resume()
    }

    /// Wakes a waiting ``wait(timeout:)`` now (e.g. when a worker becomes free).
    public func wake() {
        lock.withLock { pending = true }
        resumeWaiter()
    }

    private func addWatches(_ path: String, relative: String) {
        let wd = inotify_add_watch(fd, path, Self.directoryMask)
        guard wd >= 0 else { return }
        lock.withLock { watches[wd] = relative }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var info = stat()
            let child = path + "/" + name
            if lstat(child, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
                addWatches(child, relative: relative.isEmpty ? name : relative + "/" + name)
            }
        }
    }

    private func readLoop() {
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        while !lock.withLock({ stopped }) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 1000)
            if ready <= 0 { continue }
            let n = read(fd, buffer, bufferSize)
            if n <= 0 { continue }
            var offset = 0
            var changed = false
            while offset + MemoryLayout<inotify_event>.size <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameLength = Int(event.len)
                var name = ""
                if nameLength > 0 {
                    // The name field is not imported: it follows the fixed part, NUL-padded.
                    let start = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                    name = String(cString: start)
                }
                handle(event, name: name)
                changed = true
                offset += MemoryLayout<inotify_event>.size + nameLength
            }
            if changed { wake() }
        }
    }

    private func handle(_ event: inotify_event, name: String) {
        let mask = event.mask
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            lock.withLock {
                overflows += 1
                rescanNeeded = true
            }
            return
        }
        let directory = lock.withLock { watches[event.wd] }
        if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            lock.withLock {
                watches[event.wd] = nil
                rescanNeeded = true
            }
            if directory == "" {
                // The drop directory itself went away: re-create it and watch again.
                try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                         attributes: [.posixPermissions: 0o750])
                addWatches(root, relative: "")
            }
            return
        }
        guard let directory, !name.isEmpty else { return }
        let relative = directory.isEmpty ? name : directory + "/" + name
        if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
            addWatches(root + "/" + relative, relative: relative)
            lock.withLock { rescanNeeded = true }
            return
        }
        var info = stat()
        let hardLink = mask & UInt32(IN_CREATE) != 0 && lstat(root + "/" + relative, &info) == 0
            && info.st_mode & S_IFMT == S_IFREG && info.st_nlink > 1
        if mask & UInt32(IN_MOVED_TO) != 0 || hardLink {
            // Renamed in, or a hard link to an existing file: complete on arrival.
            _ = lock.withLock { renamed.insert(relative) }
        } else {
            // Written in place (IN_CLOSE_WRITE): look at the tree again.
            lock.withLock { rescanNeeded = true }
        }
    }
}

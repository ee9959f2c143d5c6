import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Watches the drop directory tree with inotify on a thread of its own, and wakes the daemon's
/// loop when something arrives. Files renamed in (IN_MOVED_TO) are reported so they can be taken
/// at once; IN_Q_OVERFLOW and the loss of a watch ask for a full rescan (and a re-watch).
///
/// It also keeps the drop directory itself under watch: when the directory is deleted, moved or
/// replaced (its `(st_dev, st_ino)` changed, as a mount over it does without any event), the
/// watcher is *degraded* until ``verifyRoot()`` has re-created and re-watched it; while the
/// directory is on another filesystem than `device` (the state directory's), files cannot be
/// claimed by rename and the ``Health`` it reports says not to take them.
public final class InotifyWatcher: @unchecked Sendable {
    /// Whether the drop directory is watched as it should be.
    public struct Health: Sendable, Equatable {
        /// Why the watch is degraded; `nil` when it is healthy.
        public var degraded: String?
        /// `false` while files must not be taken (the drop directory is on another filesystem).
        public var canTake: Bool
    }

    private let root: String
    private let device: UInt64?
    private let fd: Int32
    private let lock = NSLock()
    private var watches: [Int32: String] = [:]  // watch descriptor → relative directory
    private var rootWatch: Int32?
    private var rootIdentity: (device: UInt64, inode: UInt64)?
    private var degraded: String?
    private var canTake = true
    private var renamed: Set<String> = []
    private var rescanNeeded = true
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false
    private var stopped = false
    private var paused = false
    /// Counts IN_Q_OVERFLOW events seen (a metric for logs and tests).
    public var overflows: Int { lock.withLock { overflowCount } }
    private var overflowCount = 0

    static let directoryMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// - Parameter device: the `st_dev` the drop directory must stay on (the state directory's),
    ///   or `nil` not to check.
    /// - Returns: `nil` when inotify is not available (the daemon then relies on rescans).
    public init?(root: String, device: UInt64? = nil) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.root = root
        self.device = device
        verifyRoot()
        Thread.detachNewThread { [self] in readLoop() }
    }

    /// Checks that the watched drop directory is still the one at `root` (same device and inode)
    /// and re-creates and re-watches it when it is gone or was replaced. Cheap (one `stat`); the
    /// daemon calls it on every turn of its loop, which retries with the loop's back-off.
    @discardableResult
    public func verifyRoot() -> Health {
        var info = stat()
        if stat(root, &info) != 0 || info.st_mode & S_IFMT != S_IFDIR {
            let existed = lstat(root, &info) == 0
            if existed
                || (try? FileManager.default.createDirectory(
                    atPath: root, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o750])) == nil
            {
                let problem = existed ? "the drop directory's path is not a directory" : "the drop directory is missing and cannot be created"
                return lock.withLock {
                    degraded = problem
                    return Health(degraded: degraded, canTake: canTake)
                }
            }
            guard stat(root, &info) == 0 else {
                return lock.withLock {
                    degraded = "the drop directory cannot be read"
                    return Health(degraded: degraded, canTake: canTake)
                }
            }
        }
        let identity = (device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let (current, old) = lock.withLock { (rootIdentity.map { $0 == identity } ?? false && rootWatch != nil, rootWatch) }
        if !current {
            if let old {
                inotify_rm_watch(fd, old)
                lock.withLock { watches[old] = nil }
            }
            let added = addWatches(root, relative: "")
            lock.withLock {
                rootWatch = added
                rootIdentity = added == nil ? nil : identity
                degraded = added == nil ? "the drop directory cannot be watched (errno \(errno))" : nil
                rescanNeeded = true
            }
        }
        return lock.withLock {
            if let device, identity.device != device {
                canTake = false
                degraded = "the drop directory is on another filesystem than the state directory; files are not taken until it is back"
            } else {
                canTake = true
                if degraded?.hasPrefix("the drop directory is on another filesystem") == true { degraded = nil }
            }
            return Health(degraded: degraded, canTake: canTake)
        }
    }

    /// Stops (or resumes) draining the inotify queue: events then pile up in the kernel as under
    /// a burst the reader cannot keep up with, up to the queue's limit and an IN_Q_OVERFLOW.
    /// For tests and diagnostics.
    public func pauseReading(_ pause: Bool) {
        lock.withLock { paused = pause }
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

    /// Watches `path` and the directories below it; returns the watch of `path` itself.
    @discardableResult
    private func addWatches(_ path: String, relative: String) -> Int32? {
        let wd = inotify_add_watch(fd, path, Self.directoryMask)
        guard wd >= 0 else { return nil }
        lock.withLock { watches[wd] = relative }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            var info = stat()
            let child = path + "/" + name
            if lstat(child, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
                addWatches(child, relative: relative.isEmpty ? name : relative + "/" + name)
            }
        }
        return wd
    }

    private func readLoop() {
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        while !lock.withLock({ stopped }) {
            if lock.withLock({ paused }) {
                usleep(10_000)
                continue
            }
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
                overflowCount += 1
                rescanNeeded = true
            }
            return
        }
        let directory = lock.withLock { watches[event.wd] }
        if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 {
            // A directory moved away keeps its watch: drop it, or its events would be misplaced.
            if mask & UInt32(IN_MOVE_SELF) != 0 { inotify_rm_watch(fd, event.wd) }
            lock.withLock {
                watches[event.wd] = nil
                rescanNeeded = true
                if event.wd == rootWatch {
                    rootWatch = nil
                    degraded = "the drop directory was deleted or moved"
                }
            }
            if directory == "" {
                // The drop directory itself went away: re-create it and watch again.
                verifyRoot()
            } else if mask & UInt32(IN_MOVE_SELF) != 0 {
                // A subdirectory moved within the tree is watched again at its new place (its
                // IN_MOVED_TO came first and found the watch this event just removed).
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
        let hardLink =
            mask & UInt32(IN_CREATE) != 0 && lstat(root + "/" + relative, &info) == 0
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

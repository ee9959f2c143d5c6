import Foundation
import Synchronization
public import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// inotify on the drop tree, as an `AsyncStream` of ``DropEvent``.
///
/// One thread blocks in poll(2) on the inotify descriptor (there is no readiness API for a plain
/// descriptor in Swift concurrency; NIO does the same with its event-loop thread) and yields what
/// it reads. Directories are watched through `/proc/self/fd/N` of descriptors opened below the drop
/// directory without following links, so a link swapped in for a subdirectory is never watched
/// through. IN_Q_OVERFLOW, a lost watch and a new subdirectory yield `.rescan`; a full stream
/// buffer (the consumer is behind) also counts as an overflow.
public final class InotifyDropEvents: DropEventSource {
    public let events: AsyncStream<DropEvent>
    private let continuation: AsyncStream<DropEvent>.Continuation
    private let fd: Int32
    private let root: @Sendable () -> DirectoryHandle?
    private let watches = Mutex<[Int32: (path: FilePath, directory: DirectoryHandle)]>([:])
    private let stopped = Atomic<Bool>(false)
    private let overflowCount = Atomic<Int>(0)
    private let paused = Atomic<Bool>(false)

    static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// IN_Q_OVERFLOW events seen (and buffer overflows of the stream).
    public var overflows: Int { overflowCount.load(ordering: .relaxed) }

    /// - Parameter root: the drop directory's current handle.
    /// - Returns: `nil` when inotify is unavailable.
    public init?(root: @escaping @Sendable () -> DirectoryHandle?) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.root = root
        (events, continuation) = AsyncStream.makeStream(of: DropEvent.self, bufferingPolicy: .bufferingNewest(16_384))
        continuation.onTermination = { [weak self] _ in self?.stopped.store(true, ordering: .relaxed) }
        rewatch()
        Thread.detachNewThread { [self] in readLoop() }
    }

    deinit { close(fd) }

    /// Stops the reader thread and finishes the stream.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        continuation.finish()
    }

    /// Stops (or resumes) draining the kernel queue, so that a test can force IN_Q_OVERFLOW.
    public func pauseReading(_ pause: Bool) { paused.store(pause, ordering: .relaxed) }

    public func rewatch() {
        let old = watches.withLock { current in
            let old = Array(current.keys)
            current = [:]
            return old
        }
        for wd in old { inotify_rm_watch(fd, wd) }
        if let handle = root() { addWatches(handle, path: FilePath(), depth: 0) }
        yield(.rescan(overflow: false))
    }

    private func yield(_ event: DropEvent) {
        if case .dropped = continuation.yield(event) { overflowCount.add(1, ordering: .relaxed) }
    }

    private func addWatches(_ directory: DirectoryHandle, path: FilePath, depth: Int) {
        let wd = inotify_add_watch(fd, "/proc/self/fd/\(directory.descriptor)", Self.mask)
        guard wd >= 0 else { return }
        watches.withLock { $0[wd] = (path, directory) }
        guard depth < DirectoryFileSystem.maximumDepth else { return }
        for name in (try? directory.entries()) ?? [] where !DropNames.isIgnored(name) {
            if let identity = try? directory.identity(of: name), identity.kind == .directory, let child = try? directory.openDirectory(name) {
                addWatches(child, path: path.appending(name), depth: depth + 1)
            }
        }
    }

    private func readLoop() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while !stopped.load(ordering: .relaxed) {
            if paused.load(ordering: .relaxed) {
                usleep(10_000)
                continue
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 250) > 0 else { continue }
            let n = read(fd, buffer, size)
            guard n > 0 else { continue }
            var offset = 0
            var changed = false
            while offset + MemoryLayout<inotify_event>.size <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let length = Int(event.len)
                var name: [UInt8] = []
                if length > 0 {
                    // The name field is not imported: it follows the fixed part, NUL-padded.
                    let start = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: UInt8.self)
                    name = Array(UnsafeBufferPointer(start: start, count: length).prefix { $0 != 0 })
                }
                if handle(event, name: name) { changed = true }
                offset += MemoryLayout<inotify_event>.size + length
            }
            if changed { yield(.changed) }
        }
    }

    /// Handles one event; returns whether the tree changed in place.
    private func handle(_ event: inotify_event, name: [UInt8]) -> Bool {
        let mask = event.mask
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            overflowCount.add(1, ordering: .relaxed)
            yield(.rescan(overflow: true))
            return false
        }
        let watched = watches.withLock { $0[event.wd] }
        let directory = watched?.path
        if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 {
            if mask & UInt32(IN_MOVE_SELF) != 0 { inotify_rm_watch(fd, event.wd) }
            _ = watches.withLock { $0.removeValue(forKey: event.wd) }
            if directory?.isEmpty == false, mask & UInt32(IN_MOVE_SELF) != 0 {
                // A subdirectory moved within the tree is watched again at its new place.
                rewatch()
            } else {
                yield(.rescan(overflow: false))
            }
            return false
        }
        // Names producers write under are never taken: no event for them (checked on the raw
        // bytes, before any allocation: a burst of temporary files is cheap).
        guard !name.isEmpty, !DropNames.isIgnored(bytes: name) else { return false }
        guard let watched, let component = FilePath(platformString: name.map { CChar(bitPattern: $0) } + [0]).lastComponent
        else { return false }
        let path = watched.path.appending(component)
        if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
            if let root = root(), let handle = try? root.openDirectory(beneath: path) { addWatches(handle, path: path, depth: path.components.count) }
            yield(.rescan(overflow: false))
            return false
        }
        if mask & UInt32(IN_MOVED_TO) != 0 {
            yield(.arrived(path))
            return false
        }
        if mask & UInt32(IN_CREATE) != 0, let identity = try? watched.directory.identity(of: component), identity.kind == .regular,
            identity.links > 1
        {
            // A hard link to an existing file: complete on arrival, like a rename.
            yield(.arrived(path))
            return false
        }
        return true
    }
}

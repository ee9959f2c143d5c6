import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a child process in its own process group with standard input, bounded output and a
/// timeout, using posix_spawn and waitpid directly: the whole group is killed on timeout or
/// oversized output, so a script's own children cannot keep the pipes open.
enum ProcessRunner {
    enum Result: Sendable {
        case exited(status: Int32, stdout: [UInt8], stderr: [UInt8])
        case signaled(Int32)
        case timedOut
        case outputTooLarge
        case failedToStart(String)
    }

    /// Collects a pipe's bytes on a background thread, up to a limit.
    final class Collector: Sendable {
        private let data = Mutex<[UInt8]>([])
        private let overflow = Atomic<Bool>(false)
        let limit: Int

        init(limit: Int) { self.limit = limit }

        func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
            data.withLock { data in
                if data.count + chunk.count > limit {
                    overflow.store(true, ordering: .relaxed)
                    return false
                }
                data.append(contentsOf: chunk)
                return true
            }
        }

        /// Reads `fd` to end of file (or until the limit), then closes it.
        func drain(_ fd: Int32, onOverflow: () -> Void) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
            defer {
                buffer.deallocate()
                close(fd)
            }
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                if !append(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) {
                    onOverflow()
                    break
                }
            }
        }

        var bytes: [UInt8] { data.withLock { $0 } }

        var exceeded: Bool { overflow.load(ordering: .relaxed) }
    }

    static func run(
        executable: String, arguments: [String], input: [UInt8], timeout: Double, maxOutput: Int,
        environment: [String: String]
    ) throws -> Result {
        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            return .failedToStart("cannot create pipes (errno \(errno))")
        }
        // Close-on-exec, so that no other child inherits them (Glibc's pipe2 is not imported).
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGHUP)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            return .failedToStart(String(cString: strerror(spawned)))
        }
        let group = pid

        let out = Collector(limit: maxOutput)
        let err = Collector(limit: 1 << 20)
        let readers = DispatchGroup()
        for (fd, collector) in [(outPipe[0], out), (errPipe[0], err)] {
            readers.enter()
            Thread.detachNewThread {
                collector.drain(fd) { kill(-group, SIGKILL) }
                readers.leave()
            }
        }
        let writeEnd = inPipe[1]
        // A program that stops reading must give EPIPE here, not a SIGPIPE that ends cohortd.
        signal(SIGPIPE, SIG_IGN)
        Thread.detachNewThread {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(writeEnd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writeEnd)
        }

        let clock = ContinuousClock()
        var status: Int32 = 0
        func reaped(within seconds: Double) -> Bool {
            let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
            while true {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid || (r < 0 && errno != EINTR) { return true }
                if clock.now >= deadline { return false }
                usleep(2000)
            }
        }
        if !reaped(within: timeout) {
            kill(-group, SIGTERM)
            if !reaped(within: 2) {
                kill(-group, SIGKILL)
                _ = reaped(within: 10)
            }
            kill(-group, SIGKILL)
            _ = readers.wait(timeout: .now() + 2)
            return .timedOut
        }
        // Whatever the program left running in its group would hold the pipes open.
        kill(-group, SIGKILL)
        _ = readers.wait(timeout: .now() + 5)
        if out.exceeded { return .outputTooLarge }
        let signal = status & 0x7F
        if signal != 0 { return .signaled(signal) }
        return .exited(status: (status >> 8) & 0xFF, stdout: out.bytes, stderr: err.bytes)
    }
}

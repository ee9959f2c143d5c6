import CProcess

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's side of one contained run: writes standard input, reads output and the
/// shepherd's report, all non-blocking from one `poll(2)` loop, until the shepherd has exited.
/// Owns the descriptors of ``cproc_child`` and closes every one of them.
struct RunSession: ~Copyable {
    /// What the loop saw when the shepherd had exited and been reaped.
    struct Ended {
        var stdout: [UInt8]
        var stderrTail: [UInt8]
        var outputTooLarge: Bool
        var report: cproc_report?
        /// The shepherd was SIGKILLed at the hard deadline.
        var forced: Bool
        /// The signal that ended the shepherd, if one did.
        var shepherdSignal: Int32
    }

    /// How much of standard error is kept (its end, for the error message).
    static let stderrKept = 4096

    private let pid: pid_t
    private var pidfd: Int32
    private var stdinFD: Int32
    private var stdoutFD: Int32
    private var stderrFD: Int32
    private var statusFD: Int32
    private let input: [UInt8]
    private var written = 0
    private let maxOutput: Int
    private var stdout: [UInt8] = []
    private var stderrTail: [UInt8] = []
    private var outputTooLarge = false
    private var reportBytes: [UInt8] = []
    private var exited = false
    private var forced = false
    /// Inodes of the four pipes, for tests.
    let pipeInodes: [UInt64]

    init(child: cproc_child, input: [UInt8], maxOutput: Int) {
        pid = child.pid
        pidfd = child.pidfd
        stdinFD = child.stdin_fd
        stdoutFD = child.stdout_fd
        stderrFD = child.stderr_fd
        statusFD = child.status_fd
        self.input = input
        self.maxOutput = maxOutput
        pipeInodes = [child.stdin_fd, child.stdout_fd, child.stderr_fd, child.status_fd].map { fd in
            var info = stat()
            return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : 0
        }
        if input.isEmpty { Self.close(&stdinFD) }
    }

    deinit {
        for fd in [stdinFD, stdoutFD, stderrFD, statusFD, pidfd] where fd >= 0 { _ = Glibc.close(fd) }
    }

    /// Runs the loop until the shepherd has exited, SIGKILLing it at `hardDeadline` if it has not
    /// ended the run itself by then (it enforces the timeout; this is the safety net).
    mutating func drive(hardDeadline: ContinuousClock.Instant) -> Ended {
        while !exited {
            var fds: [pollfd] = []
            func watch(_ fd: Int32, _ events: Int32) -> Int? {
                guard fd >= 0 else { return nil }
                fds.append(pollfd(fd: fd, events: Int16(events), revents: 0))
                return fds.count - 1
            }
            let inSlot = watch(stdinFD, Int32(POLLOUT))
            let outSlot = watch(stdoutFD, Int32(POLLIN))
            let errSlot = watch(stderrFD, Int32(POLLIN))
            let statusSlot = watch(statusFD, Int32(POLLIN))
            let exitSlot = watch(pidfd, Int32(POLLIN))
            var wait: Int32 = 1000
            if !forced {
                let left = hardDeadline - ContinuousClock.now
                wait = left <= .zero ? 0 : Int32(min((left / .milliseconds(1)).rounded(.up), 60_000))
            }
            let ready = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), wait) }
            if ready < 0 && errno != EINTR {
                kill(pid, SIGKILL)  // cannot watch it any more: end it, so that the wait below returns
                forced = true
                break
            }
            if !forced && ContinuousClock.now >= hardDeadline {
                kill(pid, SIGKILL)
                forced = true
            }
            func fired(_ slot: Int?) -> Bool { slot.map { fds[$0].revents != 0 } ?? false }
            if fired(inSlot) { writeInput() }
            if fired(outSlot) { readOutput() }
            if fired(errSlot) { readErrors() }
            if fired(statusSlot) {
                readReport()
                // Without a pidfd, the status pipe's end of file is the shepherd's exit.
                if statusFD < 0 && pidfd < 0 { exited = true }
            }
            if fired(exitSlot) { exited = true }
            if statusFD < 0 && pidfd < 0 { exited = true }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Every process that could write is dead: what is left in the pipes is all there is.
        Self.close(&stdinFD)
        readOutput()
        readErrors()
        readReport()
        var report: cproc_report?
        if reportBytes.count >= MemoryLayout<cproc_report>.size {
            report = reportBytes.withUnsafeBytes { $0.loadUnaligned(as: cproc_report.self) }
        }
        let signaled = (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
        return Ended(
            stdout: stdout, stderrTail: stderrTail, outputTooLarge: outputTooLarge, report: report, forced: forced,
            shepherdSignal: signaled ? status & 0x7F : 0)
    }

    private mutating func writeInput() {
        while stdinFD >= 0 && written < input.count {
            let n = input.withUnsafeBytes { bytes in write(stdinFD, bytes.baseAddress.map { $0 + written }, bytes.count - written) }
            if n > 0 {
                written += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                break  // EPIPE: the program does not read its input
            }
        }
        Self.close(&stdinFD)
    }

    /// Reads what `fd` has now; calls `take` with each chunk. Closes `fd` at end of file or error.
    private static func drain(_ fd: inout Int32, _ take: (UnsafeRawBufferPointer) -> Bool) {
        guard fd >= 0 else { return }
        withUnsafeTemporaryAllocation(byteCount: 65_536, alignment: 1) { buffer in
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                if n <= 0 || !take(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) {
                    close(&fd)
                    return
                }
            }
        }
    }

    private mutating func readOutput() {
        var chunks: [UInt8] = []
        var over = false
        let room = maxOutput - stdout.count
        Self.drain(&stdoutFD) { chunk in
            if chunks.count + chunk.count > room {
                over = true
                return false
            }
            chunks.append(contentsOf: chunk)
            return true
        }
        stdout.append(contentsOf: chunks)
        if over && !outputTooLarge {
            outputTooLarge = true
            // The shepherd kills the program and its descendants and reports "stopped".
            kill(pid, SIGTERM)
        }
    }

    private mutating func readErrors() {
        var tail = stderrTail
        Self.drain(&stderrFD) { chunk in
            tail.append(contentsOf: chunk)
            if tail.count > Self.stderrKept { tail.removeFirst(tail.count - Self.stderrKept) }
            return true
        }
        stderrTail = tail
    }

    private mutating func readReport() {
        var bytes = reportBytes
        Self.drain(&statusFD) { chunk in
            bytes.append(contentsOf: chunk.prefix(64))
            return bytes.count <= 64
        }
        reportBytes = bytes
    }

    private static func close(_ fd: inout Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}

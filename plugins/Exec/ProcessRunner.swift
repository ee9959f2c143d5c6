import Foundation

/// Runs a child process with standard input, bounded output and a timeout.
enum ProcessRunner {
    enum Result: Sendable {
        case exited(status: Int32, stdout: [UInt8], stderr: [UInt8])
        case timedOut
        case outputTooLarge
        case failedToStart(String)
    }

    /// Collects a pipe's bytes on a background thread, up to a limit.
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var data: [UInt8] = []
        private(set) var overflow = false
        let limit: Int

        init(limit: Int) { self.limit = limit }

        func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if data.count + chunk.count > limit { overflow = true; return false }
            data.append(contentsOf: chunk)
            return true
        }

        /// Reads `fd` to end of file (or until the limit), with plain read(2) calls.
        func drain(_ fd: Int32, onOverflow: () -> Void) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 1)
            defer { buffer.deallocate() }
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                if !append(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) { onOverflow(); break }
            }
        }

        var bytes: [UInt8] {
            lock.lock()
            defer { lock.unlock() }
            return data
        }

        var exceeded: Bool {
            lock.lock()
            defer { lock.unlock() }
            return overflow
        }
    }

    static func run(executable: String, arguments: [String], input: [UInt8], timeout: Double, maxOutput: Int,
                    environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { return .failedToStart(error.localizedDescription) }
        let pid = process.processIdentifier

        let out = Collector(limit: maxOutput), err = Collector(limit: 1 << 20)
        // Dedicated threads, not Dispatch's global queue: blocking reads there can starve the
        // writer until Dispatch grows its pool (about a second per thread on Linux).
        let readers = DispatchGroup()
        for (pipe, collector) in [(stdout, out), (stderr, err)] {
            let fd = pipe.fileHandleForReading.fileDescriptor
            readers.enter()
            Thread.detachNewThread {
                collector.drain(fd) { kill(pid, SIGKILL) }
                readers.leave()
            }
        }
        let writer = stdin.fileHandleForWriting
        Thread.detachNewThread {
            // A program that does not read its input gets EPIPE; that is its business.
            signal(SIGPIPE, SIG_IGN)
            try? writer.write(contentsOf: Data(input))
            try? writer.close()
        }
        // Poll rather than wait on terminationHandler: on Linux its delivery can lag by a second
        // when the calling thread blocks.
        let clock = ContinuousClock()
        func waitForExit(within seconds: Double) -> Bool {
            let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
            while process.isRunning {
                if clock.now >= deadline { return false }
                usleep(2000)
            }
            return true
        }
        if !waitForExit(within: timeout) {
            kill(pid, SIGTERM)
            if !waitForExit(within: 2) {
                kill(pid, SIGKILL)
                _ = waitForExit(within: 10)
            }
            _ = readers.wait(timeout: .now() + 2)
            return .timedOut
        }
        _ = readers.wait(timeout: .now() + 5)
        if out.exceeded { return .outputTooLarge }
        return .exited(status: process.terminationStatus, stdout: out.bytes, stderr: err.bytes)
    }
}

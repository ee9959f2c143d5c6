public import CohortConfiguration
import CohortStore
import Foundation
public import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The service: recovers unfinished work, then takes complete files from the drop directory and
/// processes up to `workers` of them at once, until its task is cancelled (SIGTERM/SIGINT), when
/// it stops taking files and lets the files in work finish.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let logger: Logger
    /// Seconds between scans of the drop directory.
    public var pollInterval: Double

    public init(configuration: DaemonConfiguration, logger: Logger, pollInterval: Double = 1) {
        self.configuration = configuration
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Runs until the calling task is cancelled.
    ///
    /// - Throws: ``DaemonError`` or ``ConfigurationError`` when it cannot start.
    public func run() async throws {
        let layout = DaemonLayout(configuration)
        try layout.prepare()
        let lock = try StateLock(directory: layout.state)
        defer { lock.release() }
        let store = try Store(path: configuration.store)
        let pipelines = try PipelineSet.load(from: configuration.pipelines)
        logger.info("starting", metadata: ["pipelines": "\(pipelines.pipelines.count)", "workers": "\(configuration.workers)"])
        let processor = FileProcessor(layout: layout, store: store, pipelines: pipelines,
                                      skipDuplicates: configuration.duplicates == .skip,
                                      maxFileSize: configuration.maxFileSize, logger: logger)
        await processor.recover()
        let scanner = DropScanner(root: layout.drop, settle: configuration.settle)
        logger.info("ready")
        while !Task.isCancelled {
            let entries = scanner.scan()
            if !entries.isEmpty {
                logger.debug("files ready", metadata: ["count": "\(entries.count)"])
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for entry in entries {
                        if running == configuration.workers {
                            await group.next()
                            running -= 1
                        }
                        scanner.forget(entry.relativePath)
                        group.addTask { await processor.take(entry) }
                        running += 1
                    }
                }
            }
            do { try await Task.sleep(for: .milliseconds(Int64(pollInterval * 1000))) } catch { break }
        }
        logger.info("stopped")
    }
}

/// An exclusive lock on the state directory: one daemon per state directory.
struct StateLock {
    let fd: Int32

    init(directory: String) throws {
        fd = open(directory + "/cohortd.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw DaemonError(.locked, "cannot open the lock file in \(directory) (errno \(errno))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw DaemonError(.locked, "another cohortd is running on \(directory)")
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

public import CohortConfiguration

/// The daemon configuration's settings that a journey and the ingest loop follow.
public struct IngestOptions: Sendable, Hashable {
    public var workers: Int
    /// Seconds a file written in place must stay unchanged.
    public var settle: Double
    /// Seconds between safety rescans.
    public var rescan: Double
    public var maxFileSize: Int64
    public var acceptHardLinks: Bool
    public var skipDuplicates: Bool
    /// Attempts after which a file that keeps crashing or hanging the daemon is failed.
    public var maximumAttempts: Int

    public init(
        workers: Int = 2, settle: Double = 2, rescan: Double = 30, maxFileSize: Int64 = 2 << 30, acceptHardLinks: Bool = false,
        skipDuplicates: Bool = true, maximumAttempts: Int = 3
    ) {
        self.workers = max(1, workers)
        self.settle = settle
        self.rescan = rescan
        self.maxFileSize = maxFileSize
        self.acceptHardLinks = acceptHardLinks
        self.skipDuplicates = skipDuplicates
        self.maximumAttempts = maximumAttempts
    }

    public init(_ configuration: DaemonConfiguration) {
        self.init(
            workers: configuration.workers, settle: configuration.settle, rescan: configuration.rescan,
            maxFileSize: configuration.maxFileSize, acceptHardLinks: configuration.acceptHardLinks, skipDuplicates: configuration.duplicates == .skip)
    }
}

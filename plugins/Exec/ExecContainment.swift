import CProcess

/// What this kernel lets `plugin: exec` use to contain its programs, probed once per process.
///
/// Every program runs below a shepherd process that is a child subreaper: when the program ends
/// (or times out, or writes too much), the shepherd SIGKILLs every process left below it —
/// `setsid` and double forks included, since orphans re-parent to it — before the run returns.
/// Where the kernel has Landlock, the program may write only to its private working directory
/// (`TMPDIR`) and `/dev/null`; reads and execution are not restricted. The daemon logs
/// ``summary`` once at start, so that an administrator sees when confinement is missing.
public enum ExecContainment {
    /// How the shepherd finds the processes left below it.
    public enum DescendantListing: String, Sendable {
        /// `/proc/<pid>/task/<pid>/children` (the kernel has CONFIG_PROC_CHILDREN).
        case taskChildren = "task-children"
        /// A scan of `/proc` for processes whose parent is the shepherd.
        case procScan = "proc-scan"
        /// `/proc` cannot be read: only the program itself can be killed.
        case unavailable
    }

    /// The probed capabilities.
    public struct Capabilities: Sendable, Hashable {
        /// The Landlock ABI version (0: no Landlock, writes are not confined).
        public var landlockABI: Int
        /// How descendants are found.
        public var descendantListing: DescendantListing
    }

    /// This process's capabilities (probed on first use).
    public static let capabilities: Capabilities = {
        let listing: DescendantListing =
            switch cproc_descendant_listing() {
            case 1: .taskChildren
            case 2: .procScan
            default: .unavailable
            }
        return Capabilities(landlockABI: Int(cproc_landlock_abi()), descendantListing: listing)
    }()

    /// One line for the daemon's log: how exec plugins are contained here.
    public static var summary: String {
        let c = capabilities
        let writes = c.landlockABI > 0 ? "writes confined by Landlock ABI \(c.landlockABI)" : "writes NOT confined (no Landlock)"
        let descendants =
            c.descendantListing == .unavailable
            ? "descendants cannot be listed (no /proc): only the program is killed"
            : "descendants killed by a subreaper (\(c.descendantListing.rawValue))"
        return "exec plugins: \(descendants); \(writes)"
    }
}

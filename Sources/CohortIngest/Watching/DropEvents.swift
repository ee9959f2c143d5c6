public import SystemPackage

/// What the watch of the drop directory reports.
public enum DropEvent: Sendable, Hashable {
    /// A file was renamed into the tree (complete on arrival): its path below the drop directory.
    case arrived(FilePath)
    /// Something was written or created in place: look at the tree again (it may still settle).
    case changed
    /// Events were lost (queue overflow) or a watch was lost: rescan the whole tree.
    case rescan(overflow: Bool)
}

/// A source of drop events: inotify on the real filesystem (``InotifyDropEvents``), an in-memory
/// one in tests (CohortIngestTesting).
///
/// Rules: ``events`` is consumed by one task; after ``rewatch()`` the source reports events of the
/// drop directory that is now in place (after it was deleted and re-created), and first yields
/// `.rescan`. A source that cannot watch (no inotify) finishes its stream at once, and the daemon
/// relies on rescans.
public protocol DropEventSource: Sendable {
    var events: AsyncStream<DropEvent> { get }
    func rewatch()
}

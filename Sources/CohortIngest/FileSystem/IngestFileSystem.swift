public import CohortData
public import SystemPackage

/// An entry found below the drop directory.
public struct DropEntry: Sendable, Hashable {
    /// Path below the drop directory, as bytes ("rps/pm_1.csv").
    public var path: FilePath
    public var identity: FileIdentity

    public init(path: FilePath, identity: FileIdentity) {
        self.path = path
        self.identity = identity
    }

    /// The escaped path: the key of the entry in logs-free bookkeeping, the journal and error files.
    public var key: String { EscapedName.escape(path) }
}

/// The file actions of a journey and of reconciliation: everything the daemon does to the drop,
/// state and results directories. `DirectoryFileSystem` does them with directory descriptors on
/// the real filesystem; CohortIngestTesting has an in-memory one.
///
/// Rules (checked by the conformance test run over both):
/// 1. ``listDrop()`` returns every non-directory entry below the drop directory, sorted by path,
///    except ignored names (``DropNames/isIgnored(_:)``, in any component); directories are walked,
///    never returned; symbolic links are returned as links, never followed.
/// 2. ``claim(_:expecting:as:)`` moves the entry into `processing/` under the stored name only if
///    it is still the entry listed (same device and inode) and not a directory; otherwise it throws
///    ``IngestError/Kind/gone`` and leaves the tree as it was. It never replaces an existing entry.
/// 3. ``openClaimed(_:expecting:)`` opens only a regular file that is the claimed inode; the
///    source it returns reads it once, front to back, and returns 0 only at the end of the file
///    after checking that the file did not change since it was claimed (size, modification time
///    and bytes read), else throws `changed_during_read`; an I/O error is `read_failed` (retried).
/// 4. ``publish(_:pipeline:runID:)`` makes `results/<pipeline>/<runID>/` appear whole or not at all,
///    and is idempotent (an existing run folder is left as it is).
/// 5. ``archive(_:day:)`` and ``fail(_:errorFile:)`` are idempotent: an input already moved is not
///    an error. Files they create are mode 0640.
public protocol IngestFileSystem: Sendable {
    func listDrop() throws(IngestError) -> [DropEntry]
    /// The entry at `path` below the drop directory, if it is there and not a directory.
    func lookup(_ path: FilePath) -> DropEntry?
    /// Whether some process has the file open for writing, where Linux can tell (the daemon owns
    /// the file or holds CAP_LEASE, on a local filesystem); `false` when it cannot be told.
    func isOpenForWriting(_ path: FilePath) -> Bool
    func claim(_ path: FilePath, expecting: FileIdentity, as stored: StoredName) throws(IngestError) -> FileIdentity
    func openClaimed(_ stored: StoredName, expecting: FileIdentity) throws(IngestError) -> any ByteSource
    /// Up to `count` bytes from the start of a claimed file (to estimate its record length), or
    /// nothing when it cannot be read.
    func sample(_ stored: StoredName, count: Int) -> [UInt8]
    /// The identity of a file in `processing/`, or `nil` when it is not there.
    func claimedIdentity(_ stored: StoredName) -> FileIdentity?
    func processingNames() -> [StoredName]
    func publish(_ files: [(name: String, bytes: [UInt8])], pipeline: String, runID: String) throws(IngestError) -> String
    /// The path of `results/<pipeline>/<runID>` when it exists.
    func runFolder(pipeline: String, runID: String) -> String?
    /// Every published run folder.
    func runFolders() -> [(pipeline: String, runID: String)]
    func resultsDocument(pipeline: String, runID: String) -> [UInt8]?
    func archive(_ stored: StoredName, day: String) throws(IngestError)
    func isArchived(_ stored: StoredName) -> Bool
    func fail(_ stored: StoredName, errorFile: [UInt8]) throws(IngestError)
    func isFailed(_ stored: StoredName) -> Bool
    /// Removes the partial run folders of interrupted attempts; returns how many.
    func clearWork() -> Int
    /// Whether `state/` and `drop/` are still the directories opened at start.
    func health() -> DirectoryHealth
    /// Counts the times the drop directory was re-opened (deleted and re-created, or replaced
    /// and back): the watch must then be re-established.
    var dropGeneration: Int { get }
}

/// The state of the directories the daemon works in.
public enum DirectoryHealth: Sendable, Hashable {
    case healthy
    /// The drop directory is missing, replaced or unreadable: files are not taken until it is back.
    case dropDegraded(String)
    /// The state directory vanished or was replaced: the daemon stops and exits non-zero.
    case stateLost(String)
}

/// Names producers use while writing, which the daemon never takes.
public enum DropNames {
    /// Hidden names and `*.tmp`, `*.part`, `*.partial`, `*.filepart`, `*~`.
    public static func isIgnored(_ component: FilePath.Component) -> Bool {
        isIgnored(bytes: EscapedName.bytes(of: FilePath(root: nil, [component])))
    }

    /// Whether a name, as bytes, is ignored.
    public static func isIgnored(bytes: [UInt8]) -> Bool {
        if bytes.first == UInt8(ascii: ".") || bytes.last == UInt8(ascii: "~") { return true }
        for suffix in [".tmp", ".part", ".partial", ".filepart"] where bytes.count > suffix.utf8.count {
            if bytes.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) { return true }
        }
        return false
    }

    /// Whether any component of `path` is ignored.
    public static func isIgnored(_ path: FilePath) -> Bool { path.components.contains(where: isIgnored) }
}

public import CohortData
public import CohortIngest
import Synchronization
public import SystemPackage

/// The daemon's directories in memory: a test drops files, injects faults into operations, and
/// looks at where every file ended, without touching the disk. It keeps the rules of
/// ``IngestFileSystem`` (the conformance test runs over it and over the real one).
public final class InMemoryFileSystem: IngestFileSystem {
    /// The operations a fault can be injected into.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case list, claim, read, publish, archive, fail
    }

    struct File {
        var bytes: [UInt8]
        var identity: FileIdentity
    }

    struct Tree {
        var drop: [FilePath: File] = [:]
        var processing: [StoredName: File] = [:]
        var archive: [String: [StoredName: File]] = [:]
        var failed: [StoredName: File] = [:]
        var errorFiles: [StoredName: [UInt8]] = [:]
        var results: [String: [String: [UInt8]]] = [:]
        var work = 0
        var nextInode: UInt64 = 100
        var faults: [Operation: [IngestError]] = [:]
        var openForWriting: Set<FilePath> = []
        var changing: Set<StoredName> = []
        var health: DirectoryHealth = .healthy
        var operations: [Operation: Int] = [:]
        var generation = 0
    }

    private let tree = Mutex(Tree())

    public init() {}

    // MARK: setting up

    /// Drops a file at `path` below the drop directory, last modified `modified` ns since the epoch.
    @discardableResult
    public func drop(_ path: FilePath, _ text: String, kind: FileIdentity.Kind = .regular, links: Int = 1, modified: Int64 = 0) -> FileIdentity {
        tree.withLock { t in
            t.nextInode += 1
            let bytes = Array(text.utf8)
            let identity = FileIdentity(
                device: 1, inode: t.nextInode, kind: kind, size: Int64(bytes.count), modified: modified, changed: modified, links: links)
            t.drop[path] = File(bytes: bytes, identity: identity)
            return identity
        }
    }

    /// Makes the next `times` calls of `operation` throw `error`.
    public func inject(_ error: IngestError, into operation: Operation, times: Int = 1) {
        tree.withLock { $0.faults[operation, default: []] += Array(repeating: error, count: times) }
    }

    /// Marks a drop file as open for writing (or not).
    public func setOpenForWriting(_ path: FilePath, _ open: Bool) {
        tree.withLock { t in if open { t.openForWriting.insert(path) } else { t.openForWriting.remove(path) } }
    }

    /// Makes reading the claimed file `stored` find it changed at its end.
    public func changeWhileReading(_ stored: StoredName) { _ = tree.withLock { $0.changing.insert(stored) } }

    /// What ``health()`` reports from now on.
    public func setHealth(_ health: DirectoryHealth) { tree.withLock { $0.health = health } }

    /// Adds a run folder as if an earlier daemon had published it.
    public func addRunFolder(pipeline: String, runID: String, files: [String: [UInt8]]) {
        tree.withLock { $0.results[pipeline + "/" + runID] = files }
    }

    /// Puts a file straight into `processing/` (as a crashed daemon left it).
    public func addClaimed(_ stored: StoredName, _ text: String) {
        tree.withLock { t in
            t.nextInode += 1
            let bytes = Array(text.utf8)
            t.processing[stored] = File(
                bytes: bytes, identity: FileIdentity(device: 1, inode: t.nextInode, kind: .regular, size: Int64(bytes.count), modified: 0))
        }
    }

    /// Adds a partial run folder to `work/`.
    public func addPartialWork() { tree.withLock { $0.work += 1 } }

    // MARK: looking

    public var dropPaths: [FilePath] { tree.withLock { $0.drop.keys.sorted { $0.string < $1.string } } }
    public var processingCount: Int { tree.withLock { $0.processing.count } }
    public var archivedCount: Int { tree.withLock { $0.archive.values.reduce(0) { $0 + $1.count } } }
    public var failedCount: Int { tree.withLock { $0.failed.count } }
    public var runFolderCount: Int { tree.withLock { $0.results.count } }
    public func errorFile(of stored: StoredName) -> [UInt8]? { tree.withLock { $0.errorFiles[stored] } }
    public var errorFiles: [StoredName: [UInt8]] { tree.withLock { $0.errorFiles } }
    /// How many times each operation was called.
    public func count(_ operation: Operation) -> Int { tree.withLock { $0.operations[operation] ?? 0 } }

    private func fault(_ operation: Operation) throws(IngestError) {
        let error = tree.withLock { t -> IngestError? in
            t.operations[operation, default: 0] += 1
            guard var queue = t.faults[operation], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            t.faults[operation] = queue
            return first
        }
        if let error { throw error }
    }

    // MARK: IngestFileSystem

    public func listDrop() throws(IngestError) -> [DropEntry] {
        try fault(.list)
        return tree.withLock { t in
            t.drop.filter { !DropNames.isIgnored($0.key) }.map { DropEntry(path: $0.key, identity: $0.value.identity) }
                .sorted { $0.path.string < $1.path.string }
        }
    }

    public func lookup(_ path: FilePath) -> DropEntry? {
        tree.withLock { t in
            guard !DropNames.isIgnored(path), let file = t.drop[path] else { return nil }
            return DropEntry(path: path, identity: file.identity)
        }
    }

    public func isOpenForWriting(_ path: FilePath) -> Bool { tree.withLock { $0.openForWriting.contains(path) } }

    public func claim(_ path: FilePath, expecting: FileIdentity, as stored: StoredName) throws(IngestError) -> FileIdentity {
        try fault(.claim)
        let result = tree.withLock { t -> Result<FileIdentity, IngestError> in
            guard let file = t.drop[path], file.identity.isSameEntry(as: expecting), file.identity.kind != .directory else {
                return .failure(IngestError(.gone, "the entry vanished or was replaced before it was claimed"))
            }
            guard t.processing[stored] == nil else { return .failure(IngestError(.gone, "the stored name exists")) }
            t.drop[path] = nil
            t.processing[stored] = file
            return .success(file.identity)
        }
        return try result.get()
    }

    public func sample(_ stored: StoredName, count: Int) -> [UInt8] { tree.withLock { Array(($0.processing[stored]?.bytes ?? []).prefix(count)) } }

    public func openClaimed(_ stored: StoredName, expecting: FileIdentity) throws(IngestError) -> any ByteSource {
        try fault(.read)
        let found = tree.withLock { t in (t.processing[stored], t.changing.contains(stored)) }
        guard let file = found.0, file.identity.kind == .regular, file.identity.isSameEntry(as: expecting) else {
            throw IngestError(.unreadable, "cannot open the file")
        }
        return BytesSource(bytes: file.bytes, changes: found.1)
    }

    public func claimedIdentity(_ stored: StoredName) -> FileIdentity? { tree.withLock { $0.processing[stored]?.identity } }

    public func processingNames() -> [StoredName] {
        tree.withLock { Array($0.processing.keys) }.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    public func publish(_ files: [(name: String, bytes: [UInt8])], pipeline: String, runID: String) throws(IngestError) -> String {
        try fault(.publish)
        tree.withLock { t in
            if t.results[pipeline + "/" + runID] == nil {
                t.results[pipeline + "/" + runID] = Dictionary(files.map { ($0.name, $0.bytes) }, uniquingKeysWith: { a, _ in a })
            }
        }
        return "results/" + pipeline + "/" + runID
    }

    public func runFolder(pipeline: String, runID: String) -> String? {
        tree.withLock { $0.results[pipeline + "/" + runID] == nil ? nil : "results/" + pipeline + "/" + runID }
    }

    public func runFolders() -> [(pipeline: String, runID: String)] {
        tree.withLock { t in
            t.results.keys.sorted().compactMap { key in
                let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
        }
    }

    public func resultsDocument(pipeline: String, runID: String) -> [UInt8]? {
        tree.withLock { $0.results[pipeline + "/" + runID]?["results.json"] }
    }

    public func archive(_ stored: StoredName, day: String) throws(IngestError) {
        try fault(.archive)
        tree.withLock { t in
            guard let file = t.processing.removeValue(forKey: stored) else { return }
            t.archive[day, default: [:]][stored] = file
        }
    }

    public func isArchived(_ stored: StoredName) -> Bool { tree.withLock { t in t.archive.values.contains { $0[stored] != nil } } }

    public func fail(_ stored: StoredName, errorFile: [UInt8]) throws(IngestError) {
        try fault(.fail)
        tree.withLock { t in
            t.errorFiles[stored] = errorFile
            if let file = t.processing.removeValue(forKey: stored) { t.failed[stored] = file }
        }
    }

    public func isFailed(_ stored: StoredName) -> Bool { tree.withLock { $0.failed[stored] != nil } }

    public func clearWork() -> Int {
        tree.withLock { t in
            let n = t.work
            t.work = 0
            return n
        }
    }

    public func health() -> DirectoryHealth { tree.withLock { $0.health } }

    public var dropGeneration: Int { tree.withLock { $0.generation } }

    /// Simulates the drop directory re-created (the watch must be re-established).
    public func recreateDrop() { tree.withLock { $0.generation += 1 } }
}

/// A claimed file's bytes, read in pieces; optionally found changed at its end.
struct BytesSource: ByteSource {
    let bytes: [UInt8]
    let changes: Bool
    var offset = 0

    init(bytes: [UInt8], changes: Bool) {
        self.bytes = bytes
        self.changes = changes
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n == 0 {
            if changes { throw DataError(.changedDuringRead, "the file changed while it was read (size or modification time)") }
            return 0
        }
        bytes.withUnsafeBytes { raw in buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)])) }
        offset += n
        return n
    }
}

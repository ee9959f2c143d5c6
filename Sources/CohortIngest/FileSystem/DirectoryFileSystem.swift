import CFileSystem
public import CohortData
import Foundation
import Synchronization
public import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The file actions on the real filesystem, through directory descriptors opened once at start
/// (see ``DirectoryHandle``): no path below a root is ever resolved by string.
public final class DirectoryFileSystem: IngestFileSystem {
    let layout: DaemonLayout
    private let drop: Mutex<DirectoryHandle>
    private let dropIdentity: Mutex<FileIdentity>
    let state: DirectoryHandle
    let stateIdentity: FileIdentity
    let processing: DirectoryHandle
    let work: DirectoryHandle
    let archiveRoot: DirectoryHandle
    let failed: DirectoryHandle
    let results: DirectoryHandle
    private let generation = Atomic<Int>(0)
    public var dropGeneration: Int { generation.load(ordering: .relaxed) }
    /// Subdirectories deeper than this below the drop directory are not walked.
    public static let maximumDepth = 16

    /// Opens the directories of `layout` (which ``DaemonLayout/prepare()`` has created).
    public init(layout: DaemonLayout) throws(SystemCallError) {
        self.layout = layout
        let dropHandle = try DirectoryHandle.open(FilePath(layout.drop))
        drop = Mutex(dropHandle)
        dropIdentity = Mutex(try dropHandle.identity())
        state = try DirectoryHandle.open(FilePath(layout.state))
        stateIdentity = try state.identity()
        processing = try state.openDirectory("processing")
        work = try state.openDirectory("work")
        archiveRoot = try state.openDirectory("archive")
        failed = try state.openDirectory("failed")
        results = try DirectoryHandle.open(FilePath(layout.results))
    }

    /// The drop directory's handle (re-opened when the directory was replaced and is back).
    public var dropHandle: DirectoryHandle { drop.withLock { $0 } }

    // MARK: drop

    public func listDrop() throws(IngestError) -> [DropEntry] {
        var entries: [DropEntry] = []
        do throws(SystemCallError) {
            try walk(dropHandle, below: FilePath(), depth: 0, into: &entries)
        } catch {
            throw IngestError(error, doing: "listing the drop directory")
        }
        return entries
    }

    private func walk(_ directory: DirectoryHandle, below prefix: FilePath, depth: Int, into entries: inout [DropEntry]) throws(SystemCallError) {
        for name in try directory.entries() where !DropNames.isIgnored(name) {
            guard let identity = try? directory.identity(of: name) else { continue }  // gone since listed
            let path = prefix.appending(name)
            if identity.kind == .directory {
                guard depth < Self.maximumDepth, let child = try? directory.openDirectory(name) else { continue }
                try walk(child, below: path, depth: depth + 1, into: &entries)
            } else {
                entries.append(DropEntry(path: path, identity: identity))
            }
        }
    }

    public func lookup(_ path: FilePath) -> DropEntry? {
        guard let name = path.lastComponent, !DropNames.isIgnored(path),
            let parent = try? dropHandle.openDirectory(beneath: path.removingLastComponent()),
            let identity = try? parent.identity(of: name), identity.kind != .directory
        else { return nil }
        return DropEntry(path: path, identity: identity)
    }

    public func isOpenForWriting(_ path: FilePath) -> Bool {
        let fd = path.withPlatformString { cfs_openat_beneath(dropHandle.descriptor, $0, O_RDONLY | O_NONBLOCK | O_NOCTTY) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return cfs_fd_open_for_writing(fd) == 1
    }

    public func claim(_ path: FilePath, expecting: FileIdentity, as stored: StoredName) throws(IngestError) -> FileIdentity {
        guard let name = path.lastComponent else { throw IngestError(.gone, "an empty path cannot be claimed") }
        let parent: DirectoryHandle
        do throws(SystemCallError) {
            parent = try dropHandle.openDirectory(beneath: path.removingLastComponent())
        } catch {
            // The subdirectory is gone or is now a link: nothing to take there.
            if error.isTransient { throw IngestError(error, doing: "opening the entry's directory") }
            throw IngestError(.gone, "the entry's directory is gone or was replaced (\(error.errnoName))")
        }
        let now: FileIdentity
        do throws(SystemCallError) { now = try parent.identity(of: name) } catch {
            throw IngestError(.gone, "the entry vanished before it was claimed")
        }
        guard now.isSameEntry(as: expecting), now.kind != .directory else {
            throw IngestError(.gone, "the entry was replaced before it was claimed")
        }
        do throws(SystemCallError) {
            try parent.move(name, to: processing, as: stored.component)
        } catch {
            if error.isTransient { throw IngestError(error, doing: "claiming the file") }
            throw IngestError(.gone, "the entry could not be claimed (\(error.errnoName))")
        }
        // Re-check what was moved: if the entry was swapped between the check and the rename
        // (a directory, another inode), move it back and leave it.
        let moved = try? processing.identity(of: stored.component)
        guard let moved, moved.isSameEntry(as: expecting), moved.kind != .directory else {
            try? processing.move(stored.component, to: parent, as: name)
            throw IngestError(.gone, "the entry was replaced while it was claimed")
        }
        try? parent.sync()
        try? processing.sync()
        return moved
    }

    // MARK: processing

    public func openClaimed(_ stored: StoredName, expecting: FileIdentity) throws(IngestError) -> any ByteSource {
        let fd: Int32
        do throws(SystemCallError) { fd = try processing.openForReading(stored.component) } catch {
            if error.isTransient { throw IngestError(error, doing: "opening the file") }
            throw IngestError(.unreadable, "cannot open the file (\(error.errnoName))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw IngestError(.unreadable, "cannot inspect the file")
        }
        let identity = FileIdentity(info)
        guard identity.kind == .regular, identity.isSameEntry(as: expecting) else {
            close(fd)
            throw IngestError(.changedDuringRead, "the file in processing is not the one claimed")
        }
        // Only reading from here on: no need to block on a FIFO (none gets here), but clear
        // O_NONBLOCK so that read(2) behaves as on any regular file.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return OwnedDescriptorSource(fd: fd, expected: expecting)
    }

    public func sample(_ stored: StoredName, count: Int) -> [UInt8] {
        guard let fd = try? processing.openForReading(stored.component) else { return [] }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        return n > 0 ? Array(bytes[0..<n]) : []
    }

    public func claimedIdentity(_ stored: StoredName) -> FileIdentity? { try? processing.identity(of: stored.component) }

    public func processingNames() -> [StoredName] {
        ((try? processing.entries()) ?? []).filter { !$0.string.hasPrefix(".tmp-") }.compactMap { StoredName(existing: $0) }
    }

    // MARK: results

    public func publish(_ files: [(name: String, bytes: [UInt8])], pipeline: String, runID: String) throws(IngestError) -> String {
        let folder = layout.results + "/" + pipeline + "/" + runID
        guard let pipelineName = FilePath.Component(pipeline), let runName = FilePath.Component(runID) else {
            throw IngestError(.io, "the pipeline name or run id is not a file name")
        }
        do throws(SystemCallError) {
            let pipelineDirectory = try results.makeDirectory(pipelineName)
            if pipelineDirectory.contains(runName) { return folder }
            if work.contains(runName) { try work.removeTree(runName) }  // a partial folder of an interrupted attempt
            let runDirectory = try work.makeDirectory(runName)
            for (name, bytes) in files {
                guard let component = FilePath.Component(name) else { continue }
                // In place: the folder appears in results/ only by the rename below, once complete.
                try runDirectory.write(bytes, as: component, sync: false, atomic: false)
            }
            // One filesystem sync makes the whole folder durable before it is renamed into results/.
            try runDirectory.syncFilesystem()
            try work.move(runName, to: pipelineDirectory, as: runName)
            try pipelineDirectory.sync()
            try work.sync()
        } catch {
            throw IngestError(error, doing: "publishing the run folder")
        }
        return folder
    }

    public func runFolder(pipeline: String, runID: String) -> String? {
        guard let p = FilePath.Component(pipeline), let r = FilePath.Component(runID), let directory = try? results.openDirectory(p),
            directory.contains(r)
        else { return nil }
        return layout.results + "/" + pipeline + "/" + runID
    }

    public func runFolders() -> [(pipeline: String, runID: String)] {
        var found: [(String, String)] = []
        for pipeline in (try? results.entries()) ?? [] {
            guard let directory = try? results.openDirectory(pipeline) else { continue }
            for run in (try? directory.entries()) ?? [] where !run.string.hasPrefix(".") { found.append((pipeline.string, run.string)) }
        }
        return found
    }

    public func resultsDocument(pipeline: String, runID: String) -> [UInt8]? {
        guard let p = FilePath.Component(pipeline), let r = FilePath.Component(runID), let directory = try? results.openDirectory(p),
            let run = try? directory.openDirectory(r), let fd = try? run.openForReading("results.json")
        else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += buffer[0..<n]
            if bytes.count > 256 << 20 { return nil }
        }
        return bytes
    }

    // MARK: archive and failed

    public func archive(_ stored: StoredName, day: String) throws(IngestError) {
        guard let dayName = FilePath.Component(day) else { throw IngestError(.io, "bad archive day") }
        do throws(SystemCallError) {
            let directory = try archiveRoot.makeDirectory(dayName)
            guard processing.contains(stored.component) else { return }  // already moved
            restrictMode(of: stored.component, in: processing)
            try processing.move(stored.component, to: directory, as: stored.component)
            try directory.sync()
            try processing.sync()
        } catch {
            throw IngestError(error, doing: "archiving the input")
        }
    }

    public func isArchived(_ stored: StoredName) -> Bool {
        for day in (try? archiveRoot.entries()) ?? [] {
            if let directory = try? archiveRoot.openDirectory(day), directory.contains(stored.component) { return true }
        }
        return false
    }

    public func fail(_ stored: StoredName, errorFile: [UInt8]) throws(IngestError) {
        do throws(SystemCallError) {
            try failed.write(errorFile, as: stored.errorFileName.component)
            guard processing.contains(stored.component) else { return }
            restrictMode(of: stored.component, in: processing)
            try processing.move(stored.component, to: failed, as: stored.component)
            try failed.sync()
            try processing.sync()
        } catch {
            throw IngestError(error, doing: "recording the failure")
        }
    }

    public func isFailed(_ stored: StoredName) -> Bool { failed.contains(stored.component) }

    /// Archived and failed inputs are 0640 whatever mode the producer gave them (regular files
    /// only: a link or FIFO is never opened).
    private func restrictMode(of name: FilePath.Component, in directory: DirectoryHandle) {
        guard let identity = try? directory.identity(of: name), identity.kind == .regular else { return }
        try? directory.setMode(0o640, of: name)
    }

    public func clearWork() -> Int {
        var removed = 0
        for entry in (try? work.entries()) ?? [] where (try? work.removeTree(entry)) != nil { removed += 1 }
        return removed
    }

    // MARK: health

    public func health() -> DirectoryHealth {
        var info = stat()
        guard stat(layout.state, &info) == 0, FileIdentity(info).isSameEntry(as: stateIdentity) else {
            return .stateLost("the state directory vanished or was replaced")
        }
        guard lstat(layout.drop, &info) == 0 else {
            // Re-create a deleted drop directory (producers expect it to be there).
            if mkdir(layout.drop, 0o750) != 0 { return .dropDegraded("the drop directory is missing and cannot be created") }
            return reopenDrop()
        }
        let now = FileIdentity(info)
        guard now.kind == .directory else { return .dropDegraded("the drop directory's path is not a directory") }
        guard now.device == stateIdentity.device else {
            return .dropDegraded("the drop directory is on another filesystem than the state directory; files are not taken until it is back")
        }
        if !now.isSameEntry(as: dropIdentity.withLock { $0 }) { return reopenDrop() }
        return .healthy
    }

    private func reopenDrop() -> DirectoryHealth {
        guard let handle = try? DirectoryHandle.open(FilePath(layout.drop)), let identity = try? handle.identity() else {
            return .dropDegraded("the drop directory cannot be opened")
        }
        guard identity.device == stateIdentity.device else {
            return .dropDegraded("the drop directory is on another filesystem than the state directory; files are not taken until it is back")
        }
        drop.withLock { $0 = handle }
        dropIdentity.withLock { $0 = identity }
        generation.add(1, ordering: .relaxed)
        return .healthy
    }
}

/// A claimed file read with read(2) (``FileDescriptorSource``): no mapping, so a file truncated
/// under the reader is a short read and `changed_during_read`, never a SIGBUS. Owns the descriptor.
final class OwnedDescriptorSource: ByteSource {
    private let fd: Int32
    private var source: FileDescriptorSource

    init(fd: Int32, expected: FileIdentity) {
        self.fd = fd
        source = FileDescriptorSource(
            descriptor: fd, expected: .init(size: Int(expected.size), modificationNanoseconds: expected.modified))
    }

    deinit { close(fd) }

    var expectedSize: Int? { source.expectedSize }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int { try source.read(into: buffer) }
}

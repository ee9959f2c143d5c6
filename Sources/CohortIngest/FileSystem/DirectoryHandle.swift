import CFileSystem
public import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// An open directory, and every operation on its entries relative to it.
///
/// The daemon never resolves a path below its roots by string: it opens each root once
/// (`O_DIRECTORY | O_NOFOLLOW`), walks subdirectories by `openat` on the parent's descriptor
/// without following links, and claims, reads and moves entries with `openat`, `fstatat` and
/// `renameat2` relative to these descriptors. A symbolic link swapped in for a subdirectory is
/// therefore seen as a link (and failed as one), never followed out of the tree.
public final class DirectoryHandle: Sendable {
    /// The descriptor (closed when the handle goes).
    public let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Opens the directory at `path` (absolute, or relative to the working directory). The last
    /// component must not be a symbolic link.
    public static func open(_ path: FilePath) throws(SystemCallError) -> DirectoryHandle {
        let fd = path.withPlatformString { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemCallError("open") }
        return DirectoryHandle(descriptor: fd)
    }

    /// Opens the subdirectory `name` without following a link.
    public func openDirectory(_ name: FilePath.Component) throws(SystemCallError) -> DirectoryHandle {
        let fd = name.withPlatformString { openat(descriptor, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemCallError("openat") }
        return DirectoryHandle(descriptor: fd)
    }

    /// Opens the subdirectory at `path` below this one (several components), never leaving the
    /// directory nor following a link (openat2 `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` where the
    /// kernel has it).
    public func openDirectory(beneath path: FilePath) throws(SystemCallError) -> DirectoryHandle {
        if path.components.isEmpty { return try reopen() }
        let fd = path.withPlatformString { cfs_openat_beneath(descriptor, $0, O_RDONLY | O_DIRECTORY) }
        guard fd >= 0 else { throw SystemCallError("openat2") }
        return DirectoryHandle(descriptor: fd)
    }

    /// A second handle on the same directory.
    public func reopen() throws(SystemCallError) -> DirectoryHandle {
        let fd = openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError("openat") }
        return DirectoryHandle(descriptor: fd)
    }

    /// Opens the entry `name` for reading: never a link (ELOOP), never blocking on a FIFO.
    public func openForReading(_ name: FilePath.Component) throws(SystemCallError) -> Int32 {
        let fd = name.withPlatformString { cfs_open_nofollow(descriptor, $0, O_RDONLY | O_NONBLOCK | O_NOCTTY) }
        guard fd >= 0 else { throw SystemCallError("openat") }
        return fd
    }

    /// The directory's own identity.
    public func identity() throws(SystemCallError) -> FileIdentity {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SystemCallError("fstat") }
        return FileIdentity(info)
    }

    /// The identity of the entry `name` (a link is described, not followed).
    public func identity(of name: FilePath.Component) throws(SystemCallError) -> FileIdentity {
        var info = stat()
        let result = name.withPlatformString { fstatat(descriptor, $0, &info, AT_SYMLINK_NOFOLLOW) }
        guard result == 0 else { throw SystemCallError("fstatat") }
        return FileIdentity(info)
    }

    /// The names in the directory (without `.` and `..`), with their type where the filesystem
    /// reports it, sorted by their bytes.
    public func entries() throws(SystemCallError) -> [FilePath.Component] {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw SystemCallError("dup") }
        guard let stream = fdopendir(copy) else {
            let error = SystemCallError("fdopendir")
            close(copy)
            throw error
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] || bytes.isEmpty { continue }
            names.append(bytes)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }.compactMap { bytes in
            FilePath(platformString: bytes.map { CChar(bitPattern: $0) } + [0]).lastComponent
        }
    }

    /// Renames the entry `name` into `target` as `newName`, never replacing an entry there
    /// (renameat2 `RENAME_NOREPLACE`: EEXIST when it exists).
    public func move(_ name: FilePath.Component, to target: DirectoryHandle, as newName: FilePath.Component) throws(SystemCallError) {
        let result = name.withPlatformString { from in
            newName.withPlatformString { to in cfs_rename_noreplace(descriptor, from, target.descriptor, to) }
        }
        guard result == 0 else { throw SystemCallError("renameat2") }
    }

    /// Renames the entry `name` into `target` as `newName`, replacing what is there.
    public func replace(_ name: FilePath.Component, in target: DirectoryHandle, as newName: FilePath.Component) throws(SystemCallError) {
        let result = name.withPlatformString { from in newName.withPlatformString { to in renameat(descriptor, from, target.descriptor, to) } }
        guard result == 0 else { throw SystemCallError("renameat") }
    }

    /// Creates the subdirectory `name` (mode 0750) unless it exists, and opens it.
    public func makeDirectory(_ name: FilePath.Component) throws(SystemCallError) -> DirectoryHandle {
        let made = name.withPlatformString { mkdirat(descriptor, $0, 0o750) }
        if made != 0 && errno != EEXIST { throw SystemCallError("mkdirat") }
        return try openDirectory(name)
    }

    /// Writes `bytes` as the file `name`: to a temporary name first, fsynced, mode 0640 whatever
    /// the umask, then renamed over `name` — so a reader never sees a partial file and a full
    /// disk never leaves a 0-byte one. `sync: false` leaves durability to a later ``sync()`` of
    /// the filesystem; `atomic: false` writes in place, for files in a directory that is itself
    /// renamed into view only once complete (a run folder under `work/`).
    public func write(_ bytes: [UInt8], as name: FilePath.Component, sync: Bool = true, atomic: Bool = true) throws(SystemCallError) {
        let temporary = atomic ? FilePath.Component(".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))") ?? "tmp" : name
        let fd = temporary.withPlatformString { openat(descriptor, $0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640) }
        guard fd >= 0 else { throw SystemCallError("openat") }
        do throws(SystemCallError) {
            defer { close(fd) }
            guard fchmod(fd, 0o640) == 0 else { throw SystemCallError("fchmod") }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset) }
                if n < 0 && errno == EINTR { continue }
                // No progress at all: a full or failing device (errno is not set).
                guard n > 0 else { throw n == 0 ? SystemCallError("write", errno: EIO) : SystemCallError("write") }
                offset += n
            }
            if sync { guard fsync(fd) == 0 else { throw SystemCallError("fsync") } }
            if atomic { try replace(temporary, in: self, as: name) }
        } catch {
            _ = temporary.withPlatformString { unlinkat(descriptor, $0, 0) }
            throw error
        }
    }

    /// Makes the directory's entries durable (fsync of the directory).
    public func sync() throws(SystemCallError) {
        guard fsync(descriptor) == 0 else { throw SystemCallError("fsync") }
    }

    /// Flushes the whole filesystem holding the directory (one syncfs instead of an fsync per file).
    public func syncFilesystem() throws(SystemCallError) {
        guard cfs_syncfs_fd(descriptor) == 0 else { throw SystemCallError("syncfs") }
    }

    /// Sets the mode of the entry `name` (not following a link).
    public func setMode(_ mode: UInt32, of name: FilePath.Component) throws(SystemCallError) {
        let fd = try openForReading(name)
        defer { close(fd) }
        guard fchmod(fd, mode_t(mode)) == 0 else { throw SystemCallError("fchmod") }
    }

    /// Removes the entry `name`, and everything below it when it is a directory (never following
    /// a link).
    public func removeTree(_ name: FilePath.Component) throws(SystemCallError) {
        let info = try identity(of: name)
        if info.kind == .directory {
            let child = try openDirectory(name)
            for entry in try child.entries() { try child.removeTree(entry) }
            guard (name.withPlatformString { unlinkat(descriptor, $0, AT_REMOVEDIR) }) == 0 else { throw SystemCallError("unlinkat") }
        } else {
            guard (name.withPlatformString { unlinkat(descriptor, $0, 0) }) == 0 else { throw SystemCallError("unlinkat") }
        }
    }

    /// Whether the entry `name` exists (as anything, links included).
    public func contains(_ name: FilePath.Component) -> Bool {
        var info = stat()
        return name.withPlatformString { fstatat(descriptor, $0, &info, AT_SYMLINK_NOFOLLOW) } == 0
    }
}

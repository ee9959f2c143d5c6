import CFileSystem
public import CohortConfiguration
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's directories (contract `daemon.md`): the drop directory, its own state area
/// (processing, work, archive, failed) and the results, all on one filesystem so that every move
/// is an atomic rename.
public struct DaemonLayout: Sendable {
    public let drop: String
    public let state: String
    public let results: String
    public var processing: String { state + "/processing" }
    /// Run folders being written, renamed into `results` only when complete.
    public var work: String { state + "/work" }
    public var archive: String { state + "/archive" }
    public var failed: String { state + "/failed" }

    public init(_ configuration: DaemonConfiguration) {
        drop = Self.normalised(configuration.drop)
        state = Self.normalised(configuration.state)
        results = Self.normalised(configuration.results)
    }

    static func normalised(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Creates the directories (mode 0750) and checks that they share one filesystem.
    ///
    /// - Throws: ``DaemonError`` `directory` or `cross_device`.
    public func prepare() throws {
        for dir in [drop, state, results, processing, work, archive, failed] {
            do {
                try FileManager.default.createDirectory(
                    atPath: dir, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o750])
            } catch {
                throw DaemonError(.directory, "cannot create \(dir): \(error.localizedDescription)")
            }
        }
        let devices = try [drop, state, results].map { dir -> UInt64 in
            var info = stat()
            guard stat(dir, &info) == 0 else { throw DaemonError(.directory, "cannot stat \(dir) (errno \(errno))") }
            return UInt64(info.st_dev)
        }
        guard Set(devices).count == 1 else {
            throw DaemonError(
                .crossDevice, "drop (\(drop)), state (\(state)) and results (\(results)) must be on one filesystem, so that files move by rename")
        }
    }
}

/// Durable file moves and writes.
enum FileOps {
    /// Renames without replacing an existing file, then makes both directories durable.
    static func move(_ from: String, to: String) throws {
        guard cfs_rename_noreplace(AT_FDCWD, from, AT_FDCWD, to) == 0 else {
            throw DaemonError(
                .io,
                "cannot move into \(URL(fileURLWithPath: to).deletingLastPathComponent().path) (errno \(errno): \(String(cString: strerror(errno))))")
        }
        syncDirectory(of: from)
        syncDirectory(of: to)
    }

    /// Creates a directory (mode 0750, parents first) unless it exists: `mkdir(2)` directly, as a
    /// run creates two and Foundation's `createDirectory` costs several system calls more.
    static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o750) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw DaemonError(.io, "cannot create a directory (errno \(errno))") }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard parent != path, !parent.isEmpty else { throw DaemonError(.io, "cannot create a directory (errno \(ENOENT))") }
        try makeDirectory(parent)
        guard mkdir(path, 0o750) == 0 || errno == EEXIST else { throw DaemonError(.io, "cannot create a directory (errno \(errno))") }
    }

    static func syncDirectory(of path: String) {
        _ = cfs_fsync_directory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Writes a file with mode 0640 and fsyncs it (`sync: false` leaves durability to a later
    /// ``syncFilesystem(of:)``).
    static func write(_ bytes: [UInt8], to path: String, sync: Bool = true) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw DaemonError(.io, "cannot create a file in \(URL(fileURLWithPath: path).deletingLastPathComponent().path) (errno \(errno))")
        }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw DaemonError(.io, "cannot write (errno \(errno): \(String(cString: strerror(errno))))") }
            offset += n
        }
        if sync { guard fsync(fd) == 0 else { throw DaemonError(.io, "cannot fsync (errno \(errno))") } }
    }

    /// Makes everything written so far on the filesystem of `directory` durable.
    static func syncFilesystem(of directory: String) throws {
        guard cfs_syncfs(directory) == 0 else { throw DaemonError(.io, "cannot sync the filesystem (errno \(errno))") }
    }
}

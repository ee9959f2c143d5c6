import Foundation
public import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Writes the run folder of `cohortd analyze`: the folder (and any missing parent) with mode
/// 0750, then each file through ``DirectoryHandle/write(_:as:sync:atomic:)`` — under a hidden
/// temporary name, mode 0640, renamed over its place, so that a reader never sees one half
/// written — without an fsync per file. (Foundation's atomic write synced every file to disk:
/// 15 journal commits, 15–20 ms of a million-row run. A `cohortd analyze` folder is made again by
/// running again; the daemon publishes through its store, durably.)
public enum RunFolderWriter {
    public static func write(_ files: [(name: String, bytes: [UInt8])], to directory: String) throws(RunFolderError) {
        try makeDirectory(directory)
        let folder: DirectoryHandle
        do { folder = try DirectoryHandle.open(FilePath(directory)) } catch { throw RunFolderError(path: directory, errno: error.errno) }
        for (name, bytes) in files {
            let path = directory + "/" + name
            guard let component = FilePath.Component(name) else { throw RunFolderError(path: path, errno: EINVAL) }
            do { try folder.write(bytes, as: component, sync: false) } catch { throw RunFolderError(path: path, errno: error.errno) }
        }
    }

    /// Makes `path` and any missing parent, each with mode 0750 (one already there is kept as it is).
    static func makeDirectory(_ path: String) throws(RunFolderError) {
        if mkdir(path, 0o750) == 0 {
            _ = chmod(path, 0o750)  // whatever the umask
            return
        }
        var code = errno
        if code == ENOENT {
            let parent = (path as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != path else { throw RunFolderError(path: path, errno: code) }
            try makeDirectory(parent)
            if mkdir(path, 0o750) == 0 {
                _ = chmod(path, 0o750)
                return
            }
            code = errno
        }
        // There already (perhaps made meanwhile by another process): fine if it is a folder.
        guard code == EEXIST else { throw RunFolderError(path: path, errno: code) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw RunFolderError(path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw RunFolderError(path: path, errno: ENOTDIR) }
    }
}

/// A run folder, or a file of it, that could not be written.
public struct RunFolderError: Error, Sendable, CustomStringConvertible {
    /// The folder or file.
    public var path: String
    /// The system's error number (`errno`: `ENOTDIR`, `ENOSPC`, …).
    public var code: Int32
    /// Why, as the system says it (`strerror` of the code).
    public var reason: String

    public init(path: String, errno code: Int32) {
        self.path = path
        self.code = code
        self.reason = String(cString: strerror(code))
    }

    public var description: String { "\(path): \(reason)" }
}

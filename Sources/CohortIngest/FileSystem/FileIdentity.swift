#if canImport(Glibc)
    import Glibc
#endif

/// What a directory entry is, as `fstat`/`fstatat` saw it: enough to tell that the entry taken is
/// the entry scanned (same device and inode) and that its content did not change while it was
/// read (same size and modification time).
public struct FileIdentity: Sendable, Hashable {
    /// What kind of entry it is. Only regular files are ever opened for reading.
    public enum Kind: String, Sendable, Hashable {
        case regular = "regular file"
        case directory
        case symbolicLink = "symbolic link"
        case fifo = "FIFO"
        case socket
        case device
    }

    public var device: UInt64
    public var inode: UInt64
    public var kind: Kind
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var modified: Int64
    /// Status-change time in nanoseconds since the epoch.
    public var changed: Int64
    /// Hard links to the inode (`st_nlink`).
    public var links: Int

    public init(device: UInt64, inode: UInt64, kind: Kind, size: Int64, modified: Int64, changed: Int64 = 0, links: Int = 1) {
        self.device = device
        self.inode = inode
        self.kind = kind
        self.size = size
        self.modified = modified
        self.changed = changed
        self.links = links
    }

    init(_ info: stat) {
        let type = info.st_mode & S_IFMT
        let kind: Kind =
            switch type {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            case S_IFIFO: .fifo
            case S_IFSOCK: .socket
            default: .device
            }
        self.init(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), kind: kind, size: Int64(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec), links: Int(info.st_nlink))
    }

    /// Whether `other` is the same inode.
    public func isSameEntry(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }

    /// Whether `other` is the same inode with the same size and modification time.
    public func isUnchanged(comparedWith other: FileIdentity) -> Bool {
        isSameEntry(as: other) && size == other.size && modified == other.modified
    }
}

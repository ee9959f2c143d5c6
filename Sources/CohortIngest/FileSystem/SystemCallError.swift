#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: the call's name and its errno. Transient errnos (no space, I/O errors,
/// a cross-device rename while a mount is changing, interrupted or busy resources) are worth
/// retrying with back-off; every other errno is a property of the entry and fails it at once.
public struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// The failure of `call`, with the current errno.
    public init(_ call: String) {
        self.call = call
        errno = Glibc.errno
    }

    /// ENOSPC, EDQUOT, EFBIG (over LimitFSIZE), EIO, EXDEV, EAGAIN, EINTR, EBUSY, ENOMEM, EMFILE, ENFILE.
    public var isTransient: Bool {
        [ENOSPC, EDQUOT, EFBIG, EIO, EXDEV, EAGAIN, EINTR, EBUSY, ENOMEM, EMFILE, ENFILE].contains(errno)
    }

    /// Whether the filesystem is out of space (or quota).
    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    /// The errno's symbolic name where it is a common one ("ENOSPC"), else its number.
    public var errnoName: String {
        switch errno {
        case ENOENT: "ENOENT"
        case EEXIST: "EEXIST"
        case ENOSPC: "ENOSPC"
        case EDQUOT: "EDQUOT"
        case EIO: "EIO"
        case EXDEV: "EXDEV"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case ELOOP: "ELOOP"
        case ENOTDIR: "ENOTDIR"
        case EISDIR: "EISDIR"
        case ENAMETOOLONG: "ENAMETOOLONG"
        case EAGAIN: "EAGAIN"
        case EINTR: "EINTR"
        case EROFS: "EROFS"
        default: "errno \(errno)"
        }
    }

    public var description: String { "\(call): \(errnoName) (\(String(cString: strerror(errno))))" }
}

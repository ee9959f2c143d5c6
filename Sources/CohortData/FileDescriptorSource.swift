#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file read with read(2) from its current offset to its end: no mapping, so a file
/// truncated while read gives an error instead of SIGBUS, and only the reader's chunk is resident.
///
/// At the end of the file the descriptor is `fstat`ed again: when its size or modification time
/// differ from those the caller saw when it claimed the file (``expected``), or the bytes read
/// differ from that size, the read throws `changed_during_read`. EINTR is retried; an I/O error
/// (EIO and the like) throws `read_failed`, which is transient (the daemon retries such a file);
/// other errors throw `unreadable`.
///
/// The source does not own the descriptor: the caller opens and closes it.
public struct FileDescriptorSource: ByteSource {
    /// What the caller saw at claim time (from `fstat` of the same descriptor).
    public struct Identity: Sendable, Hashable {
        public var size: Int
        /// Modification time, nanoseconds since the epoch.
        public var modificationNanoseconds: Int64

        public init(size: Int, modificationNanoseconds: Int64) {
            self.size = size
            self.modificationNanoseconds = modificationNanoseconds
        }

        /// The identity of an open descriptor now, or `nil` when `fstat` fails.
        public static func of(descriptor: Int32) -> Identity? {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { return nil }
            return Identity(
                size: Int(info.st_size),
                modificationNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        }
    }

    public let descriptor: Int32
    public let expected: Identity
    /// Bytes read so far.
    public private(set) var bytesRead = 0
    private var finished = false

    public init(descriptor: Int32, expected: Identity) {
        self.descriptor = descriptor
        self.expected = expected
    }

    public var expectedSize: Int? { expected.size }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = systemRead(descriptor, base, buffer.count)
            if n > 0 {
                bytesRead += n
                return n
            }
            if n == 0 {
                finished = true
                try checkUnchanged()
                return 0
            }
            let code = errno
            if code == EINTR { continue }
            if code == EIO || code == ENXIO || code == ETIMEDOUT || code == ENOMEM {
                throw DataError(.readFailed, "the file could not be read (\(Self.describe(code))); it will be tried again")
            }
            throw DataError(.unreadable, "the file could not be read (\(Self.describe(code)))")
        }
    }

    private func checkUnchanged() throws(DataError) {
        guard let now = Identity.of(descriptor: descriptor) else {
            throw DataError(.unreadable, "the file could not be checked after reading (\(Self.describe(errno)))")
        }
        if now.size != expected.size || bytesRead != expected.size {
            throw DataError(
                .changedDuringRead,
                "the file changed while it was read: \(expected.size) bytes when taken, \(now.size) now, \(bytesRead) read")
        }
        if now.modificationNanoseconds != expected.modificationNanoseconds {
            throw DataError(.changedDuringRead, "the file changed while it was read: its modification time is not the one it had when taken")
        }
    }

    static func describe(_ code: Int32) -> String {
        "errno \(code): \(String(cString: strerror(code)))"
    }
}

/// read(2), named apart from ``FileDescriptorSource/read(into:)``, which would shadow it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

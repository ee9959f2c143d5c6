/// Where an export's bytes come from, read once from start to end the way read(2) reads: each
/// call fills some of `buffer` and says how many bytes it wrote, 0 meaning the end.
///
/// The reader (``CSVReader/read(from:observer:)``) holds only a chunk of the input at a time, so
/// a source never needs to hold the whole file either.
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes into `buffer`; returns how many (0 only at the end).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int

    /// The input's expected length in bytes, when known (used to size column storage once).
    var expectedSize: Int? { get }
}

extension ByteSource {
    public var expectedSize: Int? { nil }
}

/// Sees every byte of the input once, in order, as it is read: the pipeline hashes the input
/// with one, so that hashing and parsing share the one read of the file.
///
/// The reader calls ``observe(_:)`` on one of its threads while it parses the chunk on others;
/// calls never overlap and come in input order (so an observer need not be `Sendable`: a hasher
/// is not).
public protocol ByteObserver: SendableMetatype {
    mutating func observe(_ bytes: UnsafeRawBufferPointer)
}

/// An input held in memory (tests, and callers that already have the bytes).
public struct MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }

    public var expectedSize: Int? { bytes.count }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0, let target = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { target.copyMemory(from: base + offset, byteCount: n) }
        }
        offset += n
        return n
    }
}

/// An input in memory the caller owns and keeps alive (and unchanged) while it is read.
public struct BufferSource: ByteSource {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var expectedSize: Int? { bytes.count }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0, let target = buffer.baseAddress, let base = bytes.baseAddress else { return 0 }
        target.copyMemory(from: base + offset, byteCount: n)
        offset += n
        return n
    }
}

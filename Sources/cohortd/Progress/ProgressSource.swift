import CohortData

/// A byte source that tells a ``ProgressLine`` how many bytes each read gave, for the reading
/// part of the progress line; the bytes themselves pass through untouched.
struct ProgressSource<Base: ByteSource>: ByteSource {
    var base: Base
    let progress: ProgressLine

    var expectedSize: Int? { base.expectedSize }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let n = try base.read(into: buffer)
        if n > 0 { progress.read(n) }
        return n
    }
}

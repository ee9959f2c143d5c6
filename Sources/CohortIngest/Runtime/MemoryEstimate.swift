public import CohortPipeline

/// The memory a run needs, estimated from the file's size before it is read.
public enum MemoryEstimate {
    /// Peak bytes of a run of `pipeline` on a file of `bytes` bytes: the file read once into
    /// memory plus its table (measured: 321 MB peak for a 94.5 MB, 1,000,000-row export of the
    /// benchmark pipeline, 3.4 bytes per input byte), plus a fixed 32 MiB for the run's own
    /// allocations.
    public static func bytes(for pipeline: LoadedPipeline, fileSize bytes: Int64) -> Int64 {
        Int64(Double(bytes) * 3.4) + 32 << 20
    }
}

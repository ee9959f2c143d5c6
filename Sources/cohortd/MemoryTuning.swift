import CMalloc

/// Process-wide settings of glibc's allocator, made once by the command before it works.
///
/// A run allocates column arrays of a few megabytes each, frees them and allocates others of the
/// same size (sort keys, permutations). By default glibc serves such blocks with fresh `mmap`s and
/// returns them on `free`, so every array pays its page faults again (a quarter of the CPU time
/// of a million-row run, measured). Serving them from the heap and keeping freed memory for reuse
/// avoids that.
enum MemoryTuning {
    /// Blocks up to this size come from the heap (glibc's largest allowed value on 64-bit).
    static let mmapThreshold: Int32 = 32 << 20

    /// For a one-shot command: keep all freed memory until exit.
    static func forOneRun() {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }

    /// For the daemon: reuse freed memory across runs, but give back more than `retain` bytes
    /// kept free at the top of the heap.
    static func forDaemon(retain: Int32 = 256 << 20) {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, retain)
    }
}

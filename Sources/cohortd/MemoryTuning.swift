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

    /// For a one-shot command: keep all freed memory until exit, and serve every block from the
    /// one heap so that freed memory is reused.
    ///
    /// At 10M rows a column is 40–80 MB, above the largest mmap threshold glibc allows (32 MB):
    /// each such array was a fresh `mmap`, faulted in page by page and unmapped on `free`, and a
    /// thread's arena maps blocks larger than its 64 MB heap whatever `M_MMAP_MAX` says. One
    /// arena (`M_ARENA_MAX` 1: the analyses allocate few, large blocks, so the shared lock costs
    /// nothing measurable) with no mmap (`M_MMAP_MAX` 0) reuses them instead. Measured on the
    /// 10M-row benchmark export, runs interleaved with the build before: 1.48–1.52M → 0.37–0.40M
    /// page faults, system time 3.0–4.2 → 0.9–1.2 s, CPU 10.0–11.0 → 7.3–8.0 s, peak RSS
    /// 1.51–1.53 → 1.49–1.60 GB; on 1M rows CPU 0.79 → 0.71 s, peak RSS 194–208 → 175–179 MB.
    /// Called from ``Cohortd/main()`` before the runtime's threads allocate (a thread's arena is
    /// fixed at its first allocation), and again by the command (harmless).
    static func forOneRun() {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_MAX, 0)
    }

    /// For the daemon: reuse freed memory across runs, but give back more than `retain` bytes
    /// kept free at the top of the heap.
    static func forDaemon(retain: Int32 = 256 << 20) {
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        _ = mallopt(M_TRIM_THRESHOLD, retain)
    }
}

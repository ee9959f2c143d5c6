import Glibc

/// Memory for a figure's pixels: an anonymous mapping of whole 2-MiB pages, asked to be backed by
/// transparent huge pages (`madvise(MADV_HUGEPAGE)`), unmapped when the value goes.
///
/// Why: the first touch of each 4-KiB page of a fresh 12-megabyte image is a page fault, and on
/// this project's machines (virtual ones) the three thousand faults of one 300-dpi figure cost
/// 5–12 ms of CPU, more than drawing it. A huge page is one fault per 2 MiB. Where the kernel
/// declines (transparent huge pages off, or no huge page free), it is ordinary memory and still
/// correct; where the mapping itself fails, the memory comes from the allocator.
struct PixelMemory: ~Copyable {
    /// The 64-byte aligned start; `byteCount` bytes are usable.
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    /// The mapping to unmap (nil when the memory came from the allocator).
    private let mapping: (start: UnsafeMutableRawPointer, length: Int)?

    private static let hugePage = 2 << 20

    /// At least `byteCount` bytes, not cleared.
    init(byteCount: Int) {
        let size = (max(byteCount, 1) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        // One huge page more than needed, so that a 2-MiB aligned run of `size` bytes fits inside.
        let length = size + Self.hugePage
        let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let mapped, mapped != MAP_FAILED {
            let address = UInt(bitPattern: mapped)
            let aligned = (address + UInt(Self.hugePage) - 1) / UInt(Self.hugePage) * UInt(Self.hugePage)
            let start = mapped + Int(aligned - address)
            _ = madvise(start, size, MADV_HUGEPAGE)  // advice only: ordinary pages if declined
            base = start
            self.byteCount = size
            mapping = (mapped, length)
        } else {
            base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
            self.byteCount = size
            mapping = nil
        }
    }

    deinit {
        if let mapping {
            _ = munmap(mapping.start, mapping.length)
        } else {
            base.deallocate()
        }
    }
}

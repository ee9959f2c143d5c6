/// A growable run of bytes in memory this value owns, reused from one PNG to the next so that
/// each figure does not fault in fresh pages for its encoder's output.
///
/// Non-copyable: one owner frees the memory, on every path.
struct ByteBuffer: ~Copyable {
    /// The first byte; `capacity` bytes are allocated, the first `count` written.
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// How many bytes are written.
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes after `count`, moving what is written if it must grow.
    mutating func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        let grown = max(needed, capacity * 2)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 64)
        moved.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    /// The written bytes.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

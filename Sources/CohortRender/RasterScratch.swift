/// Memory that rendering PNGs reuses from one figure to the next: the two bands of rows cairo
/// draws into in turn, the PNG encoder's output, and two rows for the encoder's "row above".
///
/// Why: a 300-dpi figure is a 12-megabyte image. Drawn whole, every figure's image is memory
/// touched for the first time (thousands of page faults and a clear, or a huge page that this
/// project's virtual machines sometimes take 60–120 ms to hand over, measured). Drawn in bands
/// of about a megabyte that are encoded as they come (one played back on the render thread while
/// the other is encoded), a figure needs a sixth of that, the same memory for every band and
/// every figure, and it stays in the processors' caches between cairo and the encoder. Make one value for a batch of figures and pass it to every
/// ``FigureRenderer/png(svg:dpi:scratch:)``; its memory is freed when the value goes out of
/// scope. The PNG bytes do not depend on what the scratch held before (every pixel is painted
/// anew).
public struct RasterScratch: ~Copyable {
    /// The bands cairo draws into (one allocation).
    private var band: UnsafeMutableRawPointer?
    private var bandCapacity = 0
    /// The encoder's zlib stream.
    var output = ByteBuffer()
    /// One row of zero pixels: the "row above" the first row for PNG's Up filter.
    private var zeroRow: UnsafeMutableRawPointer?
    private var zeroRowCapacity = 0
    /// A band's last row, kept as the "row above" the next band's first.
    private var carriedRow: UnsafeMutableRawPointer?
    private var carriedRowCapacity = 0

    public init() {}

    deinit {
        band?.deallocate()
        zeroRow?.deallocate()
        carriedRow?.deallocate()
    }

    /// At least `byteCount` bytes for a band of rows, not cleared (the renderer paints every pixel).
    mutating func pixels(byteCount: Int) -> UnsafeMutableRawPointer {
        Self.reuse(&band, &bandCapacity, byteCount)
    }

    /// At least `byteCount` bytes of zeros.
    mutating func zeros(byteCount: Int) -> UnsafeRawPointer {
        if let zeroRow, zeroRowCapacity >= byteCount { return UnsafeRawPointer(zeroRow) }
        let fresh = Self.reuse(&zeroRow, &zeroRowCapacity, byteCount)
        fresh.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return UnsafeRawPointer(fresh)
    }

    /// A copy of the `byteCount` bytes at `row`, valid until the next call (so that the band they
    /// are in can be drawn over).
    mutating func carry(_ row: UnsafeRawPointer, byteCount: Int) -> UnsafeRawPointer {
        let copy = Self.reuse(&carriedRow, &carriedRowCapacity, byteCount)
        copy.copyMemory(from: row, byteCount: byteCount)
        return UnsafeRawPointer(copy)
    }

    /// `memory` when it holds `byteCount` bytes, else new memory of that size in its place.
    private static func reuse(_ memory: inout UnsafeMutableRawPointer?, _ capacity: inout Int, _ byteCount: Int) -> UnsafeMutableRawPointer {
        if let memory, capacity >= byteCount { return memory }
        memory?.deallocate()
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        memory = fresh
        capacity = max(byteCount, 1)
        return fresh
    }
}

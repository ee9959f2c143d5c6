/// Memory that rendering PNGs reuses from one figure to the next: the image cairo draws into and
/// the PNG encoder's output, each grown to the largest figure so far.
///
/// Why: a 300-dpi figure is a 12-megabyte image; allocating it afresh for every figure costs
/// thousands of page faults and a clear each time, a large share of a run's CPU (measured with
/// `perf`). Make one value for a batch of figures (a run folder) and pass it to every
/// ``FigureRenderer/png(svg:dpi:scratch:)``; its memory is freed when the value goes out of scope.
/// The PNG bytes do not depend on what the scratch held before (every pixel is painted anew).
public struct RasterScratch: ~Copyable {
    /// The pixel memory cairo draws into, and its start and size.
    private var pixelMemory: PixelMemory?
    private var pixelBase: UnsafeMutableRawPointer?
    private var pixelCapacity = 0
    /// The encoder's zlib stream.
    var output = ByteBuffer()
    /// One row of zero pixels: the "row above" the first row for PNG's Up filter.
    private var zeroRow: UnsafeMutableRawPointer?
    private var zeroRowCapacity = 0

    public init() {}

    deinit {
        zeroRow?.deallocate()
    }

    /// At least `byteCount` bytes for an image, not cleared (the renderer paints every pixel).
    ///
    /// Grown to twice what a larger figure needs: pages never touched cost nothing, and the next,
    /// slightly larger figure of a run then draws into pages already faulted in.
    mutating func pixels(byteCount: Int) -> UnsafeMutableRawPointer {
        if let pixelBase, pixelCapacity >= byteCount { return pixelBase }
        pixelMemory = nil  // unmapped before the larger mapping is made
        let fresh = PixelMemory(byteCount: 2 * byteCount)
        let base = fresh.base
        pixelBase = base
        pixelCapacity = fresh.byteCount
        pixelMemory = .some(consume fresh)
        return base
    }

    /// At least `byteCount` bytes of zeros.
    mutating func zeros(byteCount: Int) -> UnsafeRawPointer {
        if let zeroRow, zeroRowCapacity >= byteCount { return UnsafeRawPointer(zeroRow) }
        zeroRow?.deallocate()
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        fresh.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        zeroRow = fresh
        zeroRowCapacity = byteCount
        return UnsafeRawPointer(fresh)
    }
}

/// An image cairo has drawn: `height` rows of `width` pixels, rows `stride` bytes apart, each
/// pixel a native-endian 32-bit 0x··RRGGBB (`CAIRO_FORMAT_RGB24`, the high byte unused).
struct RasterImage {
    let pixels: UnsafeRawPointer
    let width: Int
    let height: Int
    let stride: Int
}

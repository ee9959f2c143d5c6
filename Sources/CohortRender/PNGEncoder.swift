/// Encodes an opaque image, as cairo draws it (`CAIRO_FORMAT_RGB24`), as a PNG: 8-bit RGB, every
/// row with the "Up" filter, compressed by ``UpDeflate``, and a `pHYs` chunk for the dpi.
///
/// Why not `cairo_surface_write_to_png_stream`: it goes through libpng's adaptive filter choice
/// and zlib's default level, about 90 ms CPU for one 2250 × 1400 figure, most of a run's budget;
/// zlib itself, even with its run-length strategy, took a third of a run's CPU. The figures are
/// flat colours on white, so "Up" turns most rows into zeros, which ``UpDeflate`` writes as long
/// matches without looking at each byte. `pHYs`, which cairo does not write, lets word
/// processors place a 300-dpi figure at its intended size rather than at 96 dpi.
struct PNGEncoder {
    /// The eight bytes every PNG starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    let width: Int
    let height: Int
    let dpi: Double
    private var stream: UpDeflate

    /// Starts the PNG of a `width` × `height` image at `dpi`, its image data written to `output`
    /// (emptied first): give it the rows with ``append(_:rows:stride:above:into:)``, top to
    /// bottom, then take the file from ``finish(_:)``.
    init(width: Int, height: Int, dpi: Double, output: inout ByteBuffer) {
        self.width = width
        self.height = height
        self.dpi = dpi
        output.count = 0
        stream = UpDeflate(width: width, into: &output)
    }

    /// The next `rows` rows at `pixels` (RGB24, rows `stride` bytes apart); `above` is the row
    /// before the first (the previous band's last, or `width` zero pixels before the image's first).
    mutating func append(_ pixels: UnsafeRawPointer, rows: Int, stride: Int, above: UnsafeRawPointer, into output: inout ByteBuffer) {
        stream.append(
            pixels.assumingMemoryBound(to: UInt32.self), rows: rows, wordsPerRow: stride / 4, above: above.assumingMemoryBound(to: UInt32.self),
            into: &output)
    }

    /// The PNG file, once every row was appended.
    mutating func finish(_ output: inout ByteBuffer) -> [UInt8] {
        stream.finish(into: &output)
        var header: [UInt8] = []
        header += Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        let perMetre = UInt32((dpi / 0.0254).rounded())
        let physical = Self.bigEndian(perMetre) + Self.bigEndian(perMetre) + [1]  // unit: the metre
        let data = output.bytes
        var png = Self.signature
        png.reserveCapacity(Self.signature.count + 3 * 12 + header.count + physical.count + data.count + 12)
        png += Self.chunk("IHDR", header)
        png += Self.chunk("pHYs", physical)
        png += Self.bigEndian(UInt32(data.count)) + Array("IDAT".utf8)
        png.append(contentsOf: data)
        png += Self.bigEndian(CRC32.checksum(data, continuing: CRC32.checksum(Array("IDAT".utf8))))
        png += Self.chunk("IEND", [])
        return png
    }

    /// The PNG of `width` × `height` pixels at `pixels` (RGB24, rows `stride` bytes apart),
    /// recording `dpi`; `scratch` holds the encoder's working memory.
    static func encode(
        _ pixels: UnsafeRawPointer, width: Int, height: Int, stride: Int, dpi: Double, scratch: inout RasterScratch
    ) -> [UInt8] {
        let zeros = scratch.zeros(byteCount: 4 * width)
        var encoder = PNGEncoder(width: width, height: height, dpi: dpi, output: &scratch.output)
        encoder.append(pixels, rows: height, stride: stride, above: zeros, into: &scratch.output)
        return encoder.finish(&scratch.output)
    }

    /// A chunk: length, type, data, and the CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(CRC32.checksum(body))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

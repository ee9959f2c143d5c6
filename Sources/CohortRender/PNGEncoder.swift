import CRSVG

/// Encodes an opaque cairo image (`CAIRO_FORMAT_RGB24`) as a PNG: 8-bit RGB, every row with the
/// "Up" filter, compressed by zlib with its run-length strategy, and a `pHYs` chunk for the dpi.
///
/// Why not `cairo_surface_write_to_png_stream`: it goes through libpng's adaptive filter choice
/// and zlib's default level, about 90 ms CPU for one 2250 × 1400 figure, most of a run's budget.
/// The figures are flat colours on white, so "Up" turns most rows into zeros, and zlib's `Z_RLE`
/// compresses them in a few milliseconds to about the same size. `pHYs`, which cairo does not
/// write, lets word processors place a 300-dpi figure at its intended size rather than at 96 dpi.
enum PNGEncoder {
    /// The eight bytes every PNG starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG of `surface` (flushed, `CAIRO_FORMAT_RGB24`), recording `dpi`.
    static func encode(_ surface: OpaquePointer, dpi: Double) throws(RenderError) -> [UInt8] {
        guard cairo_image_surface_get_format(surface) == CAIRO_FORMAT_RGB24, let data = cairo_image_surface_get_data(surface) else {
            throw RenderError(.cairo, "the image surface is not RGB24 or has no data")
        }
        let width = Int(cairo_image_surface_get_width(surface))
        let height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let compressed = try data.withMemoryRebound(to: UInt32.self, capacity: stride / 4 * height) { pixels throws(RenderError) in
            try compressedRows(UnsafePointer(pixels), width: width, height: height, wordsPerRow: stride / 4)
        }

        var header: [UInt8] = []
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        let perMetre = UInt32((dpi / 0.0254).rounded())
        let physical = bigEndian(perMetre) + bigEndian(perMetre) + [1]  // unit: the metre
        var png = signature
        png += chunk("IHDR", header)
        png += chunk("pHYs", physical)
        png += chunk("IDAT", compressed)
        png += chunk("IEND", [])
        return png
    }

    /// The PNG's image data: each row a filter byte (2, "Up") and R G B per pixel minus the same
    /// byte of the row above (0 above the first row), compressed as one zlib stream (RFC 1950),
    /// level 6 with the `Z_RLE` strategy. Row by row, so that nothing image-sized is allocated
    /// besides cairo's surface. cairo's RGB24 pixel is a native-endian 32-bit 0x00RRGGBB.
    static func compressedRows(_ pixels: UnsafePointer<UInt32>, width: Int, height: Int, wordsPerRow: Int) throws(RenderError) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15, 8, Z_RLE, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw RenderError(.cairo, "zlib could not start compressing")
        }
        defer { deflateEnd(&stream) }
        var row = [UInt8](repeating: 0, count: 1 + 3 * width)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var output: [UInt8] = []
        for y in 0..<height {
            filter(row: pixels + y * wordsPerRow, above: y > 0 ? pixels + (y - 1) * wordsPerRow : nil, width: width, into: &row)
            let flush = y == height - 1 ? Z_FINISH : Z_NO_FLUSH
            var status = Z_OK
            row.withUnsafeMutableBufferPointer { input in
                stream.next_in = input.baseAddress
                stream.avail_in = uInt(input.count)
                repeat {
                    buffer.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(out.count)
                        status = deflate(&stream, flush)
                        output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                    }
                } while status == Z_OK && stream.avail_out == 0
            }
            guard status == (flush == Z_FINISH ? Z_STREAM_END : Z_OK) else {
                throw RenderError(.cairo, "zlib could not compress the image (status \(status))")
            }
        }
        return output
    }

    /// One filtered scanline ("Up") of `width` pixels into `out` (1 + 3 × width bytes).
    static func filter(row: UnsafePointer<UInt32>, above: UnsafePointer<UInt32>?, width: Int, into out: inout [UInt8]) {
        out.withUnsafeMutableBufferPointer { out in
            out[0] = 2
            var o = 1
            for x in 0..<width {
                let p = UInt32(littleEndian: row[x].littleEndian)
                let q = above.map { UInt32(littleEndian: $0[x].littleEndian) } ?? 0
                out[o] = UInt8(truncatingIfNeeded: p >> 16) &- UInt8(truncatingIfNeeded: q >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: p >> 8) &- UInt8(truncatingIfNeeded: q >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: p) &- UInt8(truncatingIfNeeded: q)
                o += 3
            }
        }
    }

    /// A chunk: length, type, data, and the CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { crc32_z(0, $0.baseAddress, z_size_t($0.count)) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(UInt32(truncatingIfNeeded: crc))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

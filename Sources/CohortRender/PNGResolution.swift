/// Adds a PNG `pHYs` chunk (pixels per metre) after the header, which cairo does not write, so that
/// a 300-dpi figure is placed at its intended size rather than at 96 dpi (three times as large).
enum PNGResolution {
    /// `png` with a `pHYs` chunk for `dpi` inserted after IHDR; `png` unchanged when it does not
    /// start with the signature and an IHDR chunk, or already has a `pHYs` chunk.
    static func inserting(dpi: Double, into png: [UInt8]) -> [UInt8] {
        let headerEnd = 8 + 4 + 4 + 13 + 4
        guard png.count > headerEnd, png[0..<8].elementsEqual(signature), png[12..<16].elementsEqual(Array("IHDR".utf8)) else { return png }
        guard !containsChunk("pHYs", in: png) else { return png }
        let perMetre = UInt32((dpi / 0.0254).rounded())
        var body = Array("pHYs".utf8)
        body += bigEndian(perMetre) + bigEndian(perMetre) + [1]
        let chunk = bigEndian(UInt32(body.count - 4)) + body + bigEndian(CRC32.checksum(body))
        return Array(png[0..<headerEnd]) + chunk + Array(png[headerEnd...])
    }

    /// The eight bytes every PNG starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Whether a chunk of `type` appears among the chunks of `png`.
    static func containsChunk(_ type: String, in png: [UInt8]) -> Bool {
        let wanted = Array(type.utf8)
        var offset = 8
        while offset + 8 <= png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            if png[offset + 4..<offset + 8].elementsEqual(wanted) { return true }
            offset += 12 + length
        }
        return false
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// CRC-32 (ISO 3309, the polynomial PNG and zlib use), for PNG chunks.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

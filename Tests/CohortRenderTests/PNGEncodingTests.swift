import CRSVG
import Foundation
import Testing

@testable import CohortRender

/// The PNG encoder (Up filter, our own deflate, Adler-32 and CRC-32): every PNG decodes, with
/// libpng through cairo's reader, to exactly the pixels it was made from.
@Suite struct PNGEncodingTests {
    /// SplitMix64, for reproducible test images.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Encodes `pixels` (RGB24 words, rows `wordsPerRow` apart, high bytes set to noise, which
    /// the PNG must ignore) and checks the decoded image, the chunk CRCs and the stream's Adler-32.
    static func roundTrip(_ pixels: [UInt32], width: Int, height: Int, wordsPerRow: Int) throws {
        var scratch = RasterScratch()
        let png = try pixels.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { throw TestFailure(description: "no pixels") }
            return PNGEncoder.encode(base, width: width, height: height, stride: 4 * wordsPerRow, dpi: 300, scratch: &scratch)
        }
        let image = try DecodedPNG(png)
        #expect(image.width == width && image.height == height)
        var mismatches = 0
        for y in 0..<height {
            for x in 0..<width {
                let p = pixels[y * wordsPerRow + x]
                if image.rgb(x: x, y: y) != [UInt8(p >> 16 & 0xFF), UInt8(p >> 8 & 0xFF), UInt8(p & 0xFF)] { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        let idat = try Chunks.check(png)
        // The zlib stream ends with the Adler-32 of the filtered rows, computed here byte by byte.
        var filtered: [UInt8] = []
        for y in 0..<height {
            filtered.append(2)
            for x in 0..<width {
                let p = pixels[y * wordsPerRow + x]
                let q = y == 0 ? 0 : pixels[(y - 1) * wordsPerRow + x]
                for shift in [16, 8, 0] as [UInt32] {
                    filtered.append(UInt8(p >> shift & 0xFF) &- UInt8(q >> shift & 0xFF))
                }
            }
        }
        #expect(Array(idat.suffix(4)) == bigEndian(naiveAdler32(filtered)))
    }

    static func naiveAdler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    static func naiveCRC32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// A PNG's chunks: every CRC checked against ``naiveCRC32``; the IDAT data returned.
    enum Chunks {
        static func check(_ png: [UInt8]) throws -> [UInt8] {
            var offset = 8
            var idat: [UInt8] = []
            while offset + 12 <= png.count {
                let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
                let body = Array(png[offset + 4..<offset + 8 + length])
                let crc = png[offset + 8 + length..<offset + 12 + length].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                #expect(crc == naiveCRC32(body), "CRC of \(String(decoding: body.prefix(4), as: UTF8.self))")
                if body.starts(with: Array("IDAT".utf8)) { idat += body.dropFirst(4) }
                offset += 12 + length
            }
            #expect(offset == png.count)
            return idat
        }
    }

    @Test(arguments: [(1, 1), (1, 7), (7, 1), (2, 3), (301, 5), (1000, 3)])
    func noiseRoundTrips(width: Int, height: Int) throws {
        var random = Random(state: UInt64(width * 1000 + height))
        let wordsPerRow = width + 3
        let pixels = (0..<(wordsPerRow * height)).map { _ in UInt32(truncatingIfNeeded: random.next()) }
        try Self.roundTrip(pixels, width: width, height: height, wordsPerRow: wordsPerRow)
    }

    /// Rows of runs of every length 1…300 pixels: unchanged pixels (zero differences) and runs
    /// of one non-zero difference, after pixels whose last byte is zero and is not; long enough
    /// that matches split at 258 bytes, and with the odd remainders.
    @Test func runsOfEveryLengthRoundTrip() throws {
        var random = Random(state: 42)
        let width = 2 * (1...300).reduce(0, +) / 10
        let height = 24
        var pixels = [UInt32](repeating: 0xFFFF_FFFF, count: width * height)
        for y in 1..<height {
            var x = 0
            var length = 1 + y % 7
            while x < width {
                let colour: UInt32 = y % 3 == 0 ? UInt32(truncatingIfNeeded: random.next()) & 0xFFFF_FF00 : UInt32(truncatingIfNeeded: random.next())
                let run = min(length, width - x)
                let keep = random.next() % 2 == 0
                for i in x..<x + run { pixels[y * width + i] = keep ? pixels[(y - 1) * width + i] : colour }
                x += run
                length = length % 300 + 1 + Int(random.next() % 40)
            }
        }
        try Self.roundTrip(pixels, width: width, height: height, wordsPerRow: width)
    }

    @Test func whiteAndBlackImagesRoundTrip() throws {
        for value: UInt32 in [0x00FF_FFFF, 0xFFFF_FFFF, 0, 0xFF00_0000] {
            try Self.roundTrip([UInt32](repeating: value, count: 600 * 40), width: 600, height: 40, wordsPerRow: 600)
        }
    }

    @Test func crc32MatchesTheCheckValueAndTheBitwiseDefinition() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var random = Random(state: 7)
        for count in 0..<40 {
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            #expect(CRC32.checksum(bytes) == Self.naiveCRC32(bytes))
        }
    }

    /// Rows given in bands of any size (each band's "row above" the previous band's last row)
    /// make the same bytes as the whole image at once.
    @Test(arguments: [1, 2, 3, 7, 40])
    func bandsEncodeLikeTheWholeImage(band: Int) throws {
        var random = Random(state: UInt64(band))
        let (width, height) = (37, 41)
        // Runs and noise, so that matches cross from one band into the next.
        let pixels = (0..<(width * height)).map { i in random.next() % 4 == 0 ? UInt32(truncatingIfNeeded: random.next()) : UInt32(i / 97) }
        var scratch = RasterScratch()
        let whole = try pixels.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { throw TestFailure(description: "no pixels") }
            return PNGEncoder.encode(base, width: width, height: height, stride: 4 * width, dpi: 150, scratch: &scratch)
        }
        let banded = try pixels.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { throw TestFailure(description: "no pixels") }
            var encoder = PNGEncoder(width: width, height: height, dpi: 150, output: &scratch.output)
            var above = scratch.zeros(byteCount: 4 * width)
            var top = 0
            while top < height {
                let rows = min(band, height - top)
                encoder.append(base + 4 * width * top, rows: rows, stride: 4 * width, above: above, into: &scratch.output)
                top += rows
                above = scratch.carry(base + 4 * width * (top - 1), byteCount: 4 * width)
            }
            return encoder.finish(&scratch.output)
        }
        #expect(banded == whole)
        #expect(try DecodedPNG(banded).width == width)
    }

    /// The figure drawn whole by librsvg onto one image surface, as rows of RGB24 pixels: what
    /// the banded playback of its recording must reproduce.
    static func wholeRaster(svg: String, dpi: Double) throws -> (width: Int, height: Int, rows: [[UInt32]]) {
        try RenderThread.run { () throws -> (width: Int, height: Int, rows: [[UInt32]]) in
            let document = try SVGHandle(svg: svg)
            let (width, height) = try FigureRenderer.pixelSize(width: document.width, height: document.height, dpi: dpi)
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
                throw TestFailure(description: "no surface")
            }
            defer { cairo_surface_destroy(surface) }
            guard let context = cairo_create(surface) else { throw TestFailure(description: "no context") }
            cairo_set_source_rgb(context, 1, 1, 1)
            cairo_paint(context)
            try document.render(on: context, width: Double(width), height: Double(height))
            cairo_destroy(context)
            cairo_surface_flush(surface)
            guard let data = cairo_image_surface_get_data(surface) else { throw TestFailure(description: "no pixels") }
            let stride = Int(cairo_image_surface_get_stride(surface))
            let rows = (0..<height).map { y in
                Array(UnsafeBufferPointer(start: UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self), count: width))
            }
            return (width, height, rows)
        }
    }

    /// The example's three figures (Fixtures, made by make_figures.sh): each PNG's pixels are the
    /// raster cairo draws when it draws the figure whole (the PNG is drawn in bands, more than
    /// one at 300 dpi), and a scratch used before for another figure gives the same bytes.
    @Test func exampleFiguresDecodeToCairosRaster() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        var shared = RasterScratch()
        for name in ["overall", "cutoffs", "hazards"] {
            let svg = try String(contentsOf: fixtures.appendingPathComponent(name + ".svg"), encoding: .utf8)
            let raster = try Self.wholeRaster(svg: svg, dpi: 300)
            #expect(raster.height > FigureRenderer.bandBytes / (4 * raster.width), "\(name) is drawn in more than one band")
            let png = try FigureRenderer().png(svg: svg, dpi: 300, scratch: &shared)
            #expect(png == (try FigureRenderer().png(svg: svg, dpi: 300)), "\(name): the same bytes with a used scratch")
            let image = try DecodedPNG(png)
            #expect(image.width == raster.width && image.height == raster.height)
            var mismatches = 0
            for y in 0..<raster.height {
                for x in 0..<raster.width {
                    let p = raster.rows[y][x]
                    if image.rgb(x: x, y: y) != [UInt8(p >> 16 & 0xFF), UInt8(p >> 8 & 0xFF), UInt8(p & 0xFF)] { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(name)")
            _ = try Chunks.check(png)
        }
    }
}

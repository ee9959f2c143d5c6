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

    /// The example's three figures (Fixtures, made by make_figures.sh): each PNG's pixels are the
    /// raster cairo drew, and a scratch used before for another figure gives the same bytes.
    @Test func exampleFiguresDecodeToCairosRaster() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        var shared = RasterScratch()
        for name in ["overall", "cutoffs", "hazards"] {
            let svg = try String(contentsOf: fixtures.appendingPathComponent(name + ".svg"), encoding: .utf8)
            var own = RasterScratch()
            let raster = try FigureRenderer.withRaster(svg: svg, dpi: 300, scratch: &own) { image, _ in
                (
                    image.width, image.height,
                    (0..<image.height).map { y in
                        Array(UnsafeBufferPointer(start: (image.pixels + y * image.stride).assumingMemoryBound(to: UInt32.self), count: image.width))
                    }
                )
            }
            let png = try FigureRenderer().png(svg: svg, dpi: 300, scratch: &shared)
            #expect(png == (try FigureRenderer().png(svg: svg, dpi: 300)), "\(name): the same bytes with a used scratch")
            let image = try DecodedPNG(png)
            #expect(image.width == raster.0 && image.height == raster.1)
            var mismatches = 0
            for y in 0..<raster.1 {
                for x in 0..<raster.0 {
                    let p = raster.2[y][x]
                    if image.rgb(x: x, y: y) != [UInt8(p >> 16 & 0xFF), UInt8(p >> 8 & 0xFF), UInt8(p & 0xFF)] { mismatches += 1 }
                }
            }
            #expect(mismatches == 0, "\(name)")
            _ = try Chunks.check(png)
        }
    }
}

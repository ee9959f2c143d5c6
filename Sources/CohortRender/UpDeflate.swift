/// PNG image data for an opaque image: every row filtered with "Up" (filter type 2), the whole as
/// one zlib stream (RFC 1950) of one fixed-Huffman deflate block (RFC 1951), in a single pass
/// over the pixels with no row buffer. The rows may come in bands (``append(_:rows:wordsPerRow:above:into:)``
/// once a band, then ``finish(into:)``), so that an image is never whole in memory.
///
/// Why our own deflate: the figures are flat colours on white, so after "Up" almost every byte is
/// zero, and the rest come in runs where a horizontal line starts or ends (a pixel's difference
/// from the row above repeats along the line). zlib, even with `Z_RLE`, looked at every byte,
/// checksummed every byte, and took about a third of a run's CPU. Here a run of unchanged pixels
/// is found eight bytes at a time and written as length-258 matches at distance 1 (13 bits per 86
/// pixels); a run of pixels with the same non-zero difference as matches at distance 3; any other
/// byte as a literal. The Adler-32 of a run is computed from its length in closed form.
///
/// The output is a valid zlib stream that any inflater decodes to exactly the filtered rows; it is
/// somewhat larger than zlib's dynamic-Huffman output (fixed codes), which these images can afford.
struct UpDeflate {
    /// Pixels a row.
    let width: Int
    /// Where the stream's bits go; its byte offset is the output's count between calls.
    private var bits: BitWriter
    /// Adler-32 sums, reduced modulo 65521 after every row (a row cannot overflow 64 bits).
    private var a: UInt64 = 1
    private var b: UInt64 = 0

    /// Starts a stream of rows of `width` pixels after the bytes `out` holds (zlib and block headers).
    init(width: Int, into out: inout ByteBuffer) {
        self.width = width
        out.reserve(2)
        out.base.storeBytes(of: 0x78, toByteOffset: out.count, as: UInt8.self)  // CMF: deflate, 32K window
        out.base.storeBytes(of: 0x01, toByteOffset: out.count + 1, as: UInt8.self)  // FLG: no dictionary, (CMF·256+FLG) % 31 == 0
        out.count += 2
        bits = BitWriter(base: out.base, offset: out.count)
        bits.put(0b011, count: 3)  // BFINAL = 1, BTYPE = 01 (fixed Huffman)
        out.count = bits.offset
    }

    /// The zlib stream of `height` rows of `width` pixels at `pixels` (cairo `RGB24`: a native
    /// 32-bit 0x··RRGGBB each, the high byte ignored; rows `wordsPerRow` apart), appended to `out`.
    /// `zeroRow` is `width` zero pixels (the row above the first).
    static func encode(
        _ pixels: UnsafePointer<UInt32>, width: Int, height: Int, wordsPerRow: Int, zeroRow: UnsafePointer<UInt32>,
        into out: inout ByteBuffer
    ) {
        var stream = UpDeflate(width: width, into: &out)
        stream.append(pixels, rows: height, wordsPerRow: wordsPerRow, above: zeroRow, into: &out)
        stream.finish(into: &out)
    }

    /// Appends `rows` rows at `pixels` (rows `wordsPerRow` apart) to the stream in `out`; `above`
    /// is the row before the first (the previous call's last row, or zeros before the image's first).
    mutating func append(
        _ pixels: UnsafePointer<UInt32>, rows: Int, wordsPerRow: Int, above: UnsafePointer<UInt32>, into out: inout ByteBuffer
    ) {
        FixedHuffman.literals.withUnsafeBufferPointer { literals in
            FixedHuffman.matchesAtDistance1.withUnsafeBufferPointer { distance1 in
                FixedHuffman.matchesAtDistance3.withUnsafeBufferPointer { distance3 in
                    let tables = Tables(literals: literals, distance1: distance1, distance3: distance3)
                    Self.append(
                        pixels, rows: rows, width: width, wordsPerRow: wordsPerRow, above: above, tables: tables, a: &a, b: &b,
                        bits: &bits, into: &out)
                }
            }
        }
    }

    /// Ends the stream: the end-of-block code, the last byte's padding and the Adler-32.
    mutating func finish(into out: inout ByteBuffer) {
        out.count = bits.offset
        out.reserve(16)
        bits.rebase(out.base)
        bits.put(FixedHuffman.endOfBlock)
        out.count = bits.finish()
        let adler = UInt32(b << 16 | a)
        out.base.storeBytes(of: adler.bigEndian, toByteOffset: out.count, as: UInt32.self)
        out.count += 4
    }

    private struct Tables {
        let literals: UnsafeBufferPointer<UInt32>
        let distance1: UnsafeBufferPointer<UInt32>
        let distance3: UnsafeBufferPointer<UInt32>
    }

    /// Adler-32's modulus (RFC 1950 §8.2).
    static let adlerBase: UInt64 = 65521

    /// No pixel's masked difference: "no pixel before this one in the row".
    private static let noPixel: UInt32 = 0xFFFF_FFFF

    private static func append(
        _ pixels: UnsafePointer<UInt32>, rows height: Int, width: Int, wordsPerRow: Int, above first: UnsafePointer<UInt32>,
        tables: Tables, a: inout UInt64, b: inout UInt64, bits: inout BitWriter, into out: inout ByteBuffer
    ) {
        let worstRow = (9 * (1 + 3 * width) + 7) / 8 + 16
        for y in 0..<height {
            out.count = bits.offset
            out.reserve(worstRow + 8)
            bits.rebase(out.base)
            let row = pixels + y * wordsPerRow
            let above = y == 0 ? first : pixels + (y - 1) * wordsPerRow
            bits.put(tables.literals[2])  // the row's filter type, "Up"
            a += 2
            b += a
            var previous = noPixel
            var x = 0
            while x < width {
                let d = difference(row[x], above[x])
                if d == 0 {
                    let end = unchangedRunEnd(row, above, from: x + 1, width: width)
                    var n = 3 * (end - x)
                    if previous & 0xFF != 0 {
                        // The byte before (the previous pixel's blue, or the filter type when
                        // `previous` is `noPixel`) is not a zero: a literal zero for the run to repeat.
                        bits.put(tables.literals[0])
                        b += a
                        n -= 1
                    }
                    b += UInt64(n) &* a
                    if n < 3 {
                        for _ in 0..<n { bits.put(tables.literals[0]) }
                    } else {
                        putMatches(n, from: tables.distance1, into: &bits)
                    }
                    previous = 0
                    x = end
                } else if d == previous {
                    var end = x + 1
                    while end < width, difference(row[end], above[end]) == d { end += 1 }
                    let k = UInt64(end - x)
                    let n = 3 * k
                    let (r, g, bl) = (UInt64(d >> 16), UInt64(d >> 8 & 0xFF), UInt64(d & 0xFF))
                    let s = k * n - 3 * k * (k - 1) / 2  // Σ over the run's red bytes of (n − i + 1)
                    b += n &* a + r * s + g * (s - k) + bl * (s - 2 * k)
                    a += k * (r + g + bl)
                    putMatches(Int(n), from: tables.distance3, into: &bits)
                    x = end
                } else {
                    let (r, g, bl) = (d >> 16, d >> 8 & 0xFF, d & 0xFF)
                    bits.put(tables.literals[Int(r)])
                    bits.put(tables.literals[Int(g)])
                    bits.put(tables.literals[Int(bl)])
                    b += 3 * a + UInt64(3 * r + 2 * g + bl)
                    a += UInt64(r + g + bl)
                    previous = d
                    x += 1
                }
            }
            a %= adlerBase
            b %= adlerBase
        }
        out.count = bits.offset
    }

    /// The bytewise difference R G B of `pixel` minus `above` (each modulo 256) as 0x00RRGGBB:
    /// subtraction within bytes without borrows between them (Hacker's Delight §2-18).
    @inline(__always)
    static func difference(_ pixel: UInt32, _ above: UInt32) -> UInt32 {
        let high: UInt32 = 0x8080_8080
        return (((pixel | high) &- (above & ~high)) ^ ((pixel ^ ~above) & high)) & 0x00FF_FFFF
    }

    /// The first pixel at or after `start` that differs from the one above it (in R G B), or
    /// `width`; two pixels at a time.
    @inline(__always)
    static func unchangedRunEnd(_ row: UnsafePointer<UInt32>, _ above: UnsafePointer<UInt32>, from start: Int, width: Int) -> Int {
        var x = start
        let rgb: UInt64 = 0x00FF_FFFF_00FF_FFFF
        let rowBytes = UnsafeRawPointer(row)
        let aboveBytes = UnsafeRawPointer(above)
        while x + 2 <= width {
            let p = rowBytes.loadUnaligned(fromByteOffset: 4 * x, as: UInt64.self)
            let q = aboveBytes.loadUnaligned(fromByteOffset: 4 * x, as: UInt64.self)
            guard (p ^ q) & rgb == 0 else { break }
            x += 2
        }
        while x < width, (row[x] ^ above[x]) & 0x00FF_FFFF == 0 { x += 1 }
        return x
    }

    /// `n` (≥ 3) bytes as matches of at most 258, none shorter than 3.
    @inline(__always)
    private static func putMatches(_ n: Int, from table: UnsafeBufferPointer<UInt32>, into bits: inout BitWriter) {
        var left = n
        while left > 0 {
            let length = left > 258 ? (left - 258 >= 3 ? 258 : left - 3) : left
            bits.put(table[length])
            left -= length
        }
    }
}

/// Deflate's bit order: bits fill each byte from the least significant end, written out 32 at a
/// time into memory the caller has reserved.
struct BitWriter {
    private var buffer: UInt64 = 0
    private var used = 0
    private var base: UnsafeMutableRawPointer
    /// Bytes written from `base`: whole 32-bit words (up to 31 bits stay pending in `buffer`).
    private(set) var offset: Int

    /// Writes from byte `offset` of `base` on.
    init(base: UnsafeMutableRawPointer, offset: Int) {
        self.base = base
        self.offset = offset
    }

    /// Goes on writing at `base` (the same bytes, moved when their buffer grew).
    mutating func rebase(_ base: UnsafeMutableRawPointer) { self.base = base }

    /// Puts a ``FixedHuffman`` entry: its low 24 bits, as many as its high 8 say.
    @inline(__always)
    mutating func put(_ entry: UInt32) {
        put(entry & 0xFF_FFFF, count: Int(entry >> 24))
    }

    /// Puts the low `count` (≤ 32) bits of `value`.
    @inline(__always)
    mutating func put(_ value: UInt32, count: Int) {
        buffer |= UInt64(value) << used
        used += count
        if used >= 32 {
            base.storeBytes(of: UInt32(truncatingIfNeeded: buffer).littleEndian, toByteOffset: offset, as: UInt32.self)
            offset += 4
            buffer >>= 32
            used -= 32
        }
    }

    /// Writes the pending bits, the last byte padded with zeros; the byte count.
    mutating func finish() -> Int {
        while used > 0 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: buffer), toByteOffset: offset, as: UInt8.self)
            offset += 1
            buffer >>= 8
            used = max(used - 8, 0)
        }
        return offset
    }
}

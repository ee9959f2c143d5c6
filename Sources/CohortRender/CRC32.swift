/// CRC-32 as PNG chunks carry it (ISO 3309 / ITU-T V.42: reflected polynomial 0xEDB88320, initial
/// value and final XOR 0xFFFFFFFF), computed eight bytes at a time ("slicing-by-8").
///
/// Our own rather than zlib's `crc32_z`, so that PNG writing needs no zlib: the IDAT chunk of a
/// 300-dpi figure is some hundred kilobytes, which this checks in well under a millisecond.
enum CRC32 {
    /// `table[256 k + n]`: the CRC register after byte `n` followed by `k` zero bytes, k = 0…7.
    private static let table: [UInt32] = {
        var first = [UInt32](repeating: 0, count: 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            first[n] = c
        }
        var tables = [first]
        for k in 1..<8 {
            tables.append(
                (0..<256).map { n in
                    let previous = tables[k - 1][n]
                    return first[Int(previous & 0xFF)] ^ (previous >> 8)
                })
        }
        return tables.flatMap { $0 }
    }()

    /// The CRC-32 of `bytes`, continuing from `crc` (the CRC of the bytes before them; 0 to start).
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            var c = ~crc
            var i = 0
            let count = bytes.count
            while i + 8 <= count {
                let low = bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
                let high = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                c =
                    t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int(low >> 8 & 0xFF)] ^ t[5 * 256 + Int(low >> 16 & 0xFF)]
                    ^ t[4 * 256 + Int(low >> 24)] ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int(high >> 8 & 0xFF)]
                    ^ t[1 * 256 + Int(high >> 16 & 0xFF)] ^ t[Int(high >> 24)]
                i += 8
            }
            while i < count {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
            return ~c
        }
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}

/// Character-set conversions and checks on raw bytes.
enum Transcoding {
    /// Windows-1252's 0x80–0x9F block (0 = unassigned, read as U+FFFD).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Writes `bytes` (Windows-1252 or ISO-8859-1) as UTF-8 at `out`, which has room for three
    /// bytes per input byte; returns the bytes written. A single-byte encoding, so any chunk of
    /// the input converts on its own.
    static func appendUTF8(_ bytes: UnsafeRawBufferPointer, windows1252: Bool, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var k = 0
        for b in bytes {
            if b < 0x80 {
                out[k] = b
                k += 1
                continue
            }
            var scalar = UInt32(b)
            if windows1252 && b < 0xA0 {
                let mapped = windows1252High[Int(b - 0x80)]
                scalar = mapped == 0 ? 0xFFFD : mapped
            }
            if scalar < 0x800 {
                out[k] = UInt8(0xC0 | (scalar >> 6))
                out[k + 1] = UInt8(0x80 | (scalar & 0x3F))
                k += 2
            } else {
                out[k] = UInt8(0xE0 | (scalar >> 12))
                out[k + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
                out[k + 2] = UInt8(0x80 | (scalar & 0x3F))
                k += 3
            }
        }
        return k
    }

    /// Whether `tail` (the last bytes read so far, starting where ``firstInvalidUTF8(_:)`` stopped)
    /// is only the start of a character whose remaining bytes have not been read yet.
    static func isIncompleteCharacter(_ tail: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let lead = tail.first, tail.count < 4 else { return false }
        let length: Int
        if lead & 0xE0 == 0xC0 && lead >= 0xC2 {
            length = 2
        } else if lead & 0xF0 == 0xE0 {
            length = 3
        } else if lead & 0xF8 == 0xF0 && lead <= 0xF4 {
            length = 4
        } else {
            return false
        }
        guard tail.count < length else { return false }
        return tail.dropFirst().allSatisfy { $0 & 0xC0 == 0x80 }
    }

    /// The offset of the first byte that breaks UTF-8, or `nil` when the input is valid.
    static func firstInvalidUTF8(_ data: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = data.count
        let raw = UnsafeRawBufferPointer(data)
        while i < n {
            // ASCII fast path: eight bytes at a time.
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b = data[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var scalar: UInt32
            if b & 0xE0 == 0xC0 {
                length = 2
                minimum = 0x80
                scalar = UInt32(b & 0x1F)
            } else if b & 0xF0 == 0xE0 {
                length = 3
                minimum = 0x800
                scalar = UInt32(b & 0x0F)
            } else if b & 0xF8 == 0xF0 {
                length = 4
                minimum = 0x10000
                scalar = UInt32(b & 0x07)
            } else {
                return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = data[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += length
        }
        return nil
    }
}

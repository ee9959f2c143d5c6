/// Deflate's fixed Huffman code (RFC 1951 §3.2.6) as ready-to-write bit strings: each entry is
/// the code's bits in the order the stream takes them (least significant bit first, Huffman
/// codes reversed as §3.1.1 requires) in the low 24 bits, and their count in the high 8.
enum FixedHuffman {
    /// Literal bytes 0…255: 8-bit codes 0x30… for 0–143, 9-bit codes 0x190… for 144–255.
    static let literals: [UInt32] = (0..<256).map { byte in
        byte < 144 ? pack(code: 0x30 + UInt32(byte), length: 8) : pack(code: 0x190 + UInt32(byte - 144), length: 9)
    }

    /// The end-of-block symbol, 256: seven zero bits.
    static let endOfBlock = pack(code: 0, length: 7)

    /// A match of length 3…258 (`matchesAtDistance1[length]`, entries 0–2 unused) at distance 1:
    /// the length symbol, its extra bits and distance symbol 0.
    static let matchesAtDistance1: [UInt32] = matches(distanceSymbol: 0)

    /// The same at distance 3 (distance symbol 2, no extra bits).
    static let matchesAtDistance3: [UInt32] = matches(distanceSymbol: 2)

    /// `value`'s low `length` bits in reverse order.
    static func reversed(_ value: UInt32, length: Int) -> UInt32 {
        var out: UInt32 = 0
        for i in 0..<length where value >> i & 1 != 0 { out |= 1 << (length - 1 - i) }
        return out
    }

    static func pack(code: UInt32, length: Int) -> UInt32 {
        reversed(code, length: length) | UInt32(length) << 24
    }

    /// The length symbols' base lengths and extra-bit counts, symbols 257…285 (RFC 1951 §3.2.5).
    static let lengthBases: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtraBits: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]

    /// A fixed-code length symbol (257…279: 7 bits from 0; 280…287: 8 bits from 0xC0).
    static func lengthSymbolCode(_ symbol: Int) -> (code: UInt32, length: Int) {
        symbol < 280 ? (UInt32(symbol - 256), 7) : (0xC0 + UInt32(symbol - 280), 8)
    }

    private static func matches(distanceSymbol: UInt32) -> [UInt32] {
        (0...258).map { length in
            guard length >= 3 else { return 0 }
            // The last symbol whose base is at most `length`; 258 has its own (285, no extra bits).
            let index = length == 258 ? lengthBases.count - 1 : lengthBases.lastIndex { $0 <= length } ?? 0
            let (code, codeLength) = lengthSymbolCode(257 + index)
            var bits = reversed(code, length: codeLength)
            var used = codeLength
            bits |= UInt32(length - lengthBases[index]) << used  // extra bits, least significant first
            used += lengthExtraBits[index]
            bits |= reversed(distanceSymbol, length: 5) << used  // fixed distance codes are 5 bits
            used += 5
            return bits | UInt32(used) << 24
        }
    }
}

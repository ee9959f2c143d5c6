/// The pixel size of a PNG, read from its IHDR chunk, so that a figure is placed in Word with
/// its own aspect ratio.
struct PNGSize: Sendable, Hashable {
    var width: Int
    var height: Int

    /// The eight-byte PNG signature.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The size in the IHDR chunk that must follow the signature; `nil` for bytes that are not a
    /// PNG (which the report then leaves out rather than embed a picture Word cannot show).
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 24, Array(bytes[0..<8]) == Self.signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = be32(16)
        height = be32(20)
        guard width > 0, height > 0 else { return nil }
    }
}

public import SystemPackage

/// File names as bytes, written as text without losing or hiding anything.
///
/// A Linux file name is any bytes but `/` and NUL: it may be invalid UTF-8 or hold control
/// characters that clear a terminal. The escaped form keeps printable ASCII and valid UTF-8
/// (other than control characters) as they are, writes a backslash as `\\` and every other byte
/// as `\xNN`, so that it is safe to print, store as text and log-free of surprises, and
/// ``bytes(of:)`` gives back exactly the original bytes.
public enum EscapedName {
    /// The escaped text of `bytes`.
    public static func escape(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        let array = Array(bytes)
        var i = 0
        while i < array.count {
            let b = array[i]
            if b == UInt8(ascii: "\\") {
                out += "\\\\"
                i += 1
            } else if b >= 0x20 && b < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(b))
                i += 1
            } else if b >= 0xC2, let (scalar, length) = decodeScalar(array, at: i), !isControl(scalar) {
                out.unicodeScalars.append(scalar)
                i += length
            } else {
                out += "\\x" + hex(b)
                i += 1
            }
        }
        return out
    }

    /// The escaped text of a path.
    public static func escape(_ path: FilePath) -> String { escape(bytes(of: path)) }

    /// The original bytes of an escaped text, or `nil` when `text` is not a valid escape.
    public static func bytes(of text: String) -> [UInt8]? {
        var out: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            guard utf8[i] == UInt8(ascii: "\\") else {
                out.append(utf8[i])
                i += 1
                continue
            }
            guard i + 1 < utf8.count else { return nil }
            if utf8[i + 1] == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\"))
                i += 2
            } else if utf8[i + 1] == UInt8(ascii: "x"), i + 3 < utf8.count, let high = nibble(utf8[i + 2]), let low = nibble(utf8[i + 3]) {
                out.append(high << 4 | low)
                i += 4
            } else {
                return nil
            }
        }
        return out
    }

    /// The path of an escaped text.
    public static func path(of text: String) -> FilePath? {
        guard let bytes = bytes(of: text), !bytes.contains(0) else { return nil }
        return FilePath(platformString: bytes.map { CChar(bitPattern: $0) } + [0])
    }

    /// The bytes of a path (without the terminating NUL).
    public static func bytes(of path: FilePath) -> [UInt8] {
        path.withPlatformString { pointer in
            var bytes: [UInt8] = []
            var p = pointer
            while p.pointee != 0 {
                bytes.append(UInt8(bitPattern: p.pointee))
                p += 1
            }
            return bytes
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.generalCategory == .format
            || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// Decodes one UTF-8 scalar of 2–4 bytes at `i` (shortest form only).
    private static func decodeScalar(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[i]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard lead <= 0xF4, i + length <= bytes.count else { return nil }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length {
            let b = bytes[i + k]
            guard b & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(b & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

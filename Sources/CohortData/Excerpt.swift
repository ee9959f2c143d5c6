/// The one form in which a value from the input is echoed in an error (message, problems,
/// similar column names): at most ``limit`` bytes of UTF-8, cut on a character boundary with an
/// ellipsis, control characters escaped (`\n`, `\r`, `\t`, others as `\u{1b}`), so that an
/// error stays small whatever the file holds and never drives a terminal.
public enum Excerpt {
    /// Bytes an excerpt takes at most (the ellipsis included).
    public static let limit = 64

    /// The excerpt of `bytes` (invalid UTF-8 shows as U+FFFD). Reads at most a few hundred bytes,
    /// so its time does not depend on the value's length.
    public static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let head = UnsafeBufferPointer(rebasing: bytes[..<min(bytes.count, 4 * limit)])
        let cut = head.count < bytes.count
        return of(String(decoding: head, as: UTF8.self), truncated: cut)
    }

    /// The excerpt of `bytes`.
    public static func of(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { of($0) } }

    /// The excerpt of `text`.
    public static func of(_ text: String) -> String { of(Substring(text), truncated: false) }

    /// `text` escaped and cut; `truncated`: the text is itself the start of a longer value.
    static func of(_ text: some StringProtocol, truncated: Bool) -> String {
        var pieces: [String] = []
        var total = 0
        var cut = truncated
        for scalar in text.unicodeScalars {
            let piece = escaped(scalar)
            if total + piece.utf8.count > limit {
                cut = true
                break
            }
            pieces.append(piece)
            total += piece.utf8.count
        }
        guard cut else { return pieces.joined() }
        // Room for the ellipsis: whole pieces are dropped from the end (never half an escape).
        let ellipsis = "…"
        while total > limit - ellipsis.utf8.count, let last = pieces.popLast() { total -= last.utf8.count }
        return pieces.joined() + ellipsis
    }

    /// A scalar as it is shown: control characters (C0, DEL, C1) and the line and paragraph
    /// separators escaped, everything else as it is.
    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
            return "\\u{\(String(scalar.value, radix: 16))}"
        default: return String(scalar)
        }
    }
}

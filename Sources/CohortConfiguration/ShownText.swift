/// A value as an error message shows it: cut to 64 bytes (on a character boundary, with `…`) and
/// with control characters escaped, so that a hostile file can neither make a megabyte error nor
/// drive a terminal.
public enum ShownText {
    /// The most bytes of a value an error message repeats.
    public static let maximumBytes = 64

    /// `text` cut to ``maximumBytes`` and escaped (`\n`, `\t`, `\u{1B}`).
    public static func cut(_ text: String) -> String {
        var shown = ""
        var bytes = 0
        for character in text {
            let piece = escaped(character)
            bytes += piece.utf8.count
            if bytes > maximumBytes { return shown + "…" }
            shown += piece
        }
        return shown
    }

    private static func escaped(_ character: Character) -> String {
        guard character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return String(character) }
        var s = ""
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": s += "\\n"
            case "\t": s += "\\t"
            case "\r": s += "\\r"
            default:
                if scalar.properties.generalCategory == .control {
                    s += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    s.unicodeScalars.append(scalar)
                }
            }
        }
        return s
    }
}

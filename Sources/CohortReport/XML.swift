/// Escaping for the markup cohortd writes (HTML reports and SVG figures).
public enum XML {
    /// Escapes `&`, `<`, `>` and `"`, so that text can stand in an element or an attribute value,
    /// and replaces each character XML 1.0 does not allow (control characters other than tab,
    /// line feed and carriage return; U+FFFE, U+FFFF) with U+FFFD, so that a label holding a NUL
    /// still gives a well-formed SVG.
    public static func escape(_ s: String) -> String {
        guard
            s.utf8.contains(where: {
                $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == 0x22 || $0 < 0x20 || $0 == 0xEF
            })
        else {
            return s
        }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    /// Whether XML 1.0 allows the character (its `Char` production).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}

/// Escaping for the Markdown report, so that labels from the data stay text: no raw HTML, no
/// table cell broken by a `|`.
public enum MarkdownText {
    /// Text outside tables: `\`, `<`, `>` and `&` backslash-escaped (CommonMark shows them as
    /// themselves and never as markup).
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") })
        else { return s }
        var out = ""
        for c in s.unicodeScalars {
            if c == "\\" || c == "<" || c == ">" || c == "&" { out += "\\" }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// A table cell: as ``escape(_:)``, and `|` escaped, line breaks as spaces.
    public static func cell(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == 0x0A || $0 == 0x0D }) else { return escape(s) }
        return escape(s).replacing("|", with: "\\|").replacing("\r\n", with: " ").replacing("\n", with: " ").replacing("\r", with: " ")
    }
}

/// Escaping for the markup cohortd writes (HTML reports and SVG figures).
public enum XML {
    /// Escapes `&`, `<`, `>` and `"`, so that text can stand in an element or an attribute value.
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == 0x22 }) else {
            return s
        }
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// A JSON document with object keys in insertion order, written with full double precision.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(v)
        case .number(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .object(let v):
            for (k, x) in v {
                hasher.combine(k)
                hasher.combine(x)
            }
        }
    }

    /// The value for `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.key == key }?.value }
        return nil
    }

    /// Serialised JSON; `indent` > 0 pretty-prints. Non-finite numbers are written as null.
    public func serialized(indent: Int = 2) -> String {
        String(decoding: serializedBytes(indent: indent), as: UTF8.self)
    }

    /// Serialised JSON as UTF-8 bytes (what is written to files and the store).
    public func serializedBytes(indent: Int = 2) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        var marked: [Range<Int>] = []
        write(into: &out, indent: indent, level: 0, path: nil, marked: &marked)
        return out
    }

    /// One step of a path into a document: an object's key, or every element of an array.
    public enum PathComponent: Sendable, Hashable {
        case key(String)
        case everyElement
    }

    /// Serialised JSON, as ``serializedBytes(indent:)``, with the byte ranges of the values found
    /// at `path` in document order — so that parts can be stored on their own (``minified(_:)``)
    /// without serialising them again.
    public func serializedBytes(indent: Int = 2, marking path: [PathComponent]) -> (bytes: [UInt8], marked: [Range<Int>]) {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        var marked: [Range<Int>] = []
        write(into: &out, indent: indent, level: 0, path: path[...], marked: &marked)
        return (out, marked)
    }

    /// JSON text without the whitespace between tokens: exactly what `serializedBytes(indent: 0)`
    /// writes for the same value (strings are copied as they are).
    public static func minified(_ json: ArraySlice<UInt8>) -> [UInt8] {
        json.withUnsafeBufferPointer { json in
            [UInt8](unsafeUninitializedCapacity: json.count) { out, written in
                var n = 0
                var inString = false
                var escaped = false
                for byte in json {
                    if inString {
                        out[n] = byte
                        n += 1
                        if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                    } else if byte == 0x22 {
                        inString = true
                        out[n] = byte
                        n += 1
                    } else if byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 {
                        out[n] = byte
                        n += 1
                    }
                }
                written = n
            }
        }
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 128)

    private static func newline(_ out: inout [UInt8], indent: Int, level: Int) {
        guard indent > 0 else { return }
        out.append(0x0A)
        var n = indent * level
        while n > 0 {
            let k = min(n, spaces.count)
            out.append(contentsOf: spaces[0..<k])
            n -= k
        }
    }

    /// Writes the value; when `path` is given, the ranges of the values at its end are recorded.
    private func write(
        into out: inout [UInt8], indent: Int, level: Int, path: ArraySlice<PathComponent>?,
        marked: inout [Range<Int>]
    ) {
        if let path, path.isEmpty {
            let start = out.count
            write(into: &out, indent: indent, level: level, path: nil, marked: &marked)
            marked.append(start..<out.count)
            return
        }
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
        case .number(let v): Self.writeNumber(v, into: &out)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            let inner: ArraySlice<PathComponent>? = path.flatMap { $0.first == .everyElement ? $0.dropFirst() : nil }
            // Elements are read in place (no copies, so no reference counting per element).
            items.withUnsafeBufferPointer { items in
                // Arrays of scalars stay on one line.
                var flat = true
                for i in items.indices where flat {
                    if case .array = items[i] { flat = false } else if case .object = items[i] { flat = false }
                }
                out.append(UInt8(ascii: "["))
                for i in items.indices {
                    if i > 0 {
                        out.append(UInt8(ascii: ","))
                        if flat && indent > 0 { out.append(0x20) }
                    }
                    if !flat { Self.newline(&out, indent: indent, level: level + 1) }
                    items[i].write(into: &out, indent: indent, level: level + 1, path: inner, marked: &marked)
                }
                if !flat { Self.newline(&out, indent: indent, level: level) }
                out.append(UInt8(ascii: "]"))
            }
        case .object(let pairs):
            if pairs.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            pairs.withUnsafeBufferPointer { pairs in
                out.append(UInt8(ascii: "{"))
                for i in pairs.indices {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    Self.newline(&out, indent: indent, level: level + 1)
                    Self.quote(pairs[i].key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    if indent > 0 { out.append(0x20) }
                    let inner: ArraySlice<PathComponent>? = path.flatMap { $0.first == .key(pairs[i].key) ? $0.dropFirst() : nil }
                    pairs[i].value.write(into: &out, indent: indent, level: level + 1, path: inner, marked: &marked)
                }
                Self.newline(&out, indent: indent, level: level)
                out.append(UInt8(ascii: "}"))
            }
        }
    }

    /// A number as ``format(_:)`` writes it, integers digit by digit without a string.
    private static func writeNumber(_ v: Double, into out: inout [UInt8]) {
        guard v.isFinite, abs(v) < 1e15, v == Double(Int64(v)) else {
            out.append(contentsOf: format(v).utf8)
            return
        }
        var n = Int64(v)
        if n == 0 {
            out.append(0x30)
            return
        }
        if n < 0 {
            out.append(0x2D)
            n = -n
        }
        var digits: (UInt64, UInt64) = (0, 0)  // up to 16 digits, little-endian bytes
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while n > 0 {
                buffer[count] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
                n /= 10
                count += 1
            }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[k]) }
        }
    }

    /// Shortest text that reads back as the same double; integers without a fraction.
    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if abs(v) < 1e15, v == Double(Int64(v)) { return String(Int64(v)) }
        return v.description
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        // Most strings (keys, labels) need no escape: copy them whole.
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            out.append(0x22)
            return
        }
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}

import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A parsed XML element: qualified name, attributes, children and its own character data.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    var children: [XMLNode] = []
    var characters = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// Every element below this one named `name`, in document order.
    func descendants(_ name: String) -> [XMLNode] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.descendants(name) }
    }

    /// The direct children named `name`.
    func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// The text of the `w:t` elements below, concatenated (a `w:br` as a line feed, a `w:tab` as a tab).
    var wordText: String {
        children.map { child in
            switch child.name {
            case "w:t": return child.characters
            case "w:br": return "\n"
            case "w:tab": return "\t"
            default: return child.wordText
            }
        }.joined()
    }
}

/// Builds an ``XMLNode`` tree with Foundation's parser; `nil` for XML that is not well-formed.
final class TreeBuilder: NSObject, XMLParserDelegate {
    private var stack: [XMLNode] = []
    private(set) var root: XMLNode?

    static func parse(_ data: Data) -> XMLNode? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        return parser.parse() ? builder.root : nil
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let node = XMLNode(name: qName ?? elementName, attributes: attributeDict)
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.characters += string
    }
}

/// The entries of a ZIP archive by path.
func unzip(_ bytes: [UInt8]) throws -> [String: Data] {
    let archive = try Archive(data: Data(bytes), accessMode: .read)
    var entries: [String: Data] = [:]
    for entry in archive {
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        entries[entry.path] = data
    }
    return entries
}

/// A valid RGB PNG of the given size (one colour, unfiltered rows, zlib stored blocks), made
/// here so that the tests need no image library.
func tinyPNG(width: Int, height: Int) -> [UInt8] {
    func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }
    var raw: [UInt8] = []
    for _ in 0..<height { raw += [0] + [UInt8](repeating: 0x33, count: 3 * width) }
    var zlib: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let n = min(65_535, raw.count - offset)
        let final: UInt8 = offset + n == raw.count ? 1 : 0
        zlib += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)] + raw[offset..<(offset + n)]
        offset += n
    } while offset < raw.count
    var a: UInt32 = 1
    var b: UInt32 = 0
    for byte in raw {
        a = (a + UInt32(byte)) % 65_521
        b = (b + a) % 65_521
    }
    zlib += be32(b << 16 | a)
    let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0]
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
}

/// A part missing from a package, or not well-formed XML.
struct UnreadablePart: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path) is missing or not well-formed" }
}

/// The XML part at `path` of unzipped `parts`, parsed.
func xml(_ parts: [String: Data], _ path: String) throws -> XMLNode {
    guard let data = parts[path], let node = TreeBuilder.parse(data) else { throw UnreadablePart(path: path) }
    return node
}

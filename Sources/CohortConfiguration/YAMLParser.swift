internal import CYAML

/// Reads YAML text into ``YAMLNode`` trees through the system libyaml (`yaml-0.1`).
public enum YAMLParser {
    /// Deepest nesting accepted; deeper documents (or alias bombs) are refused.
    static let maximumDepth = 64
    /// Most nodes one document may expand to (aliases included).
    static let maximumNodes = 100_000

    /// Parses the single document in `text`. An empty document is an empty mapping.
    ///
    /// - Parameter file: the name used in error locations.
    /// - Throws: ``ConfigurationError`` `syntax` with libyaml's problem and its line and column.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            throw ConfigurationError(.syntax, "the YAML parser could not be initialised", file: file)
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x7B, 0x7D] }  // "{}"
        return try bytes.withUnsafeBufferPointer { buffer -> YAMLNode in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var document = yaml_document_t()
            guard yaml_parser_load(&parser, &document) != 0 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                let context = parser.context.map { String(cString: $0) + ": " } ?? ""
                let mark = parser.problem_mark
                throw ConfigurationError(
                    .syntax, context + problem, file: file,
                    line: Int(mark.line) + 1, column: Int(mark.column) + 1)
            }
            defer { yaml_document_delete(&document) }
            guard let root = yaml_document_get_root_node(&document) else {
                return YAMLNode(content: .mapping([]), file: file, line: 1, column: 1, path: "")
            }
            var builder = Builder(document: document, file: file)
            return try builder.build(root, path: "", depth: 0)
        }
    }

    private struct Builder {
        var document: yaml_document_t
        let file: String
        var count = 0

        mutating func node(at index: Int32) -> UnsafeMutablePointer<yaml_node_t>? {
            yaml_document_get_node(&document, index)
        }

        mutating func build(_ pointer: UnsafeMutablePointer<yaml_node_t>, path: String, depth: Int) throws -> YAMLNode {
            count += 1
            let mark = pointer.pointee.start_mark
            let line = Int(mark.line) + 1
            let column = Int(mark.column) + 1
            guard depth <= YAMLParser.maximumDepth, count <= YAMLParser.maximumNodes else {
                throw ConfigurationError(
                    .syntax, "the document is nested too deeply or expands to too many nodes",
                    file: file, line: line, column: column, path: path)
            }
            switch pointer.pointee.type {
            case YAML_SCALAR_NODE:
                let scalar = pointer.pointee.data.scalar
                let text =
                    scalar.value.map { value in
                        String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
                    } ?? ""
                return YAMLNode(
                    content: .scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE),
                    file: file, line: line, column: column, path: path)
            case YAML_SEQUENCE_NODE:
                var items: [YAMLNode] = []
                var item = pointer.pointee.data.sequence.items.start
                let top = pointer.pointee.data.sequence.items.top
                while let current = item, current != top {
                    if let child = node(at: current.pointee) {
                        items.append(try build(child, path: "\(path)[\(items.count)]", depth: depth + 1))
                    }
                    item = current + 1
                }
                return YAMLNode(content: .sequence(items), file: file, line: line, column: column, path: path)
            case YAML_MAPPING_NODE:
                var pairs: [YAMLNode.Pair] = []
                var pair = pointer.pointee.data.mapping.pairs.start
                let top = pointer.pointee.data.mapping.pairs.top
                while let current = pair, current != top {
                    if let keyNode = node(at: current.pointee.key), let valueNode = node(at: current.pointee.value) {
                        let key = try build(keyNode, path: path, depth: depth + 1)
                        let name: String
                        if case .scalar(let text, _) = key.content { name = text } else { name = "?" }
                        let childPath = path.isEmpty ? name : "\(path).\(name)"
                        let value = try build(valueNode, path: childPath, depth: depth + 1)
                        pairs.append(YAMLNode.Pair(key: key, value: value))
                    }
                    pair = current + 1
                }
                return YAMLNode(content: .mapping(pairs), file: file, line: line, column: column, path: path)
            default:
                return YAMLNode(content: .scalar("", plain: true), file: file, line: line, column: column, path: path)
            }
        }
    }
}

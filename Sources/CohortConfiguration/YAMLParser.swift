internal import CYAML

/// Reads YAML text into ``YAMLNode`` trees through the system libyaml (`yaml-0.1`), event by
/// event, so that ``YAMLLimits`` stop a document at the event that crosses one (libyaml's own
/// document loader would first build the whole tree, and its scanner is quadratic in the depth of
/// what it has open).
public enum YAMLParser {
    /// Deepest nesting accepted (``YAMLLimits/standard``).
    static let maximumDepth = YAMLLimits.standard.maximumDepth
    /// Most nodes one document may expand to, aliases included (``YAMLLimits/standard``).
    static let maximumNodes = YAMLLimits.standard.maximumNodes

    /// Parses the single document in `text`. An empty document is an empty mapping.
    ///
    /// - Parameter file: the name used in error locations.
    /// - Throws: ``ConfigurationError`` `syntax` with libyaml's problem and its line and column;
    ///   `too_large`, `too_deep` or `unknown_tag` where the document crosses a limit or uses a tag
    ///   the schema does not read.
    public static func parse(_ text: String, file: String, limits: YAMLLimits = .standard) throws -> YAMLNode {
        var text = text
        let size = text.utf8.count
        guard size <= limits.maximumBytes else {
            throw ConfigurationError(
                .tooLarge, "the file is \(size) bytes; at most \(YAMLLimits.describe(bytes: limits.maximumBytes)) is read", file: file)
        }
        if size == 0 { return YAMLNode(content: .mapping([]), file: file, line: 1, column: 1, keyPath: .root) }
        return try text.withUTF8 { bytes in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) != 0 else {
                throw ConfigurationError(.syntax, "the YAML parser could not be initialised", file: file)
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var builder = YAMLEventBuilder(file: file, limits: limits)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else { throw syntaxError(parser, file: file) }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.take(event)
            }
            return builder.root ?? YAMLNode(content: .mapping([]), file: file, line: 1, column: 1, keyPath: .root)
        }
    }

    private static func syntaxError(_ parser: yaml_parser_t, file: String) -> ConfigurationError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) + ": " } ?? ""
        let mark = parser.problem_mark
        return ConfigurationError(.syntax, context + problem, file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

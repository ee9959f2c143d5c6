/// A node of a YAML document, with where it stands in its file and its key path from the root.
///
/// Scalars keep their text and whether they were plain (unquoted): the schema decides what a
/// scalar means, so `yes` read where a string is expected stays the string "yes", and only a
/// plain `null`, `~` or empty scalar is null.
public struct YAMLNode: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([Pair])
    }

    public struct Pair: Sendable, Hashable {
        public var key: YAMLNode
        public var value: YAMLNode
    }

    public var content: Content
    public var file: String
    /// 1-based line and column of the node's first character.
    public var line: Int
    public var column: Int
    /// Key path from the document root (`analyses[3].groups[1].cutoff`); empty for the root.
    public var path: String

    public init(content: Content, file: String, line: Int, column: Int, path: String) {
        self.content = content
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// An error located at this node.
    public func error(_ code: ConfigurationError.Code, _ message: String) -> ConfigurationError {
        ConfigurationError(code, message, file: file, line: line, column: column, path: path)
    }

    /// A short description of the node's shape, for error messages.
    public var kindDescription: String {
        switch content {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// `true` for a plain `null`, `~`, `Null`, `NULL` or empty scalar.
    public var isNull: Bool {
        if case .scalar(let text, let plain) = content, plain {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }
}

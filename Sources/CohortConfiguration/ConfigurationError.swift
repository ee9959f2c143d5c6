/// An error in a configuration or pipeline file, located at file:line:column with the key path
/// of the offending node (`analyses[3].groups[1].cutoff`).
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The file could not be read.
        public static let unreadable = Code("unreadable")
        /// The file is not well-formed YAML.
        public static let syntax = Code("syntax")
        /// A key the schema does not know (typos must not be ignored).
        public static let unknownKey = Code("unknown_key")
        /// A required key is absent.
        public static let missingKey = Code("missing_key")
        /// A node has the wrong shape (scalar, list or mapping).
        public static let wrongType = Code("wrong_type")
        /// A value is outside what the key accepts.
        public static let invalidValue = Code("invalid_value")
        /// A variable is named that is neither declared nor derived.
        public static let undeclaredVariable = Code("undeclared_variable")
        /// Two things share a name that must be unique.
        public static let duplicate = Code("duplicate")
        /// Lists and mappings nest deeper than ``YAMLLimits/maximumDepth``.
        public static let tooDeep = Code("too_deep")
        /// The file is larger than ``YAMLLimits/maximumBytes``, or expands (aliases included) to more
        /// than ``YAMLLimits/maximumNodes`` nodes.
        public static let tooLarge = Code("too_large")
        /// A YAML tag (`!!python/object`, `!foo`) the schema does not read.
        public static let unknownTag = Code("unknown_tag")
        /// Two outputs of a run would have the same file name (an analysis id that is a reserved
        /// name, or two ids whose tables or figures share a file).
        public static let fileNameCollision = Code("file_name_collision")
    }

    public var code: Code
    public var message: String
    /// The file, as it was named to the reader.
    public var file: String
    /// 1-based line and column; 0 when the error concerns the whole file.
    public var line: Int
    public var column: Int
    /// The key path of the node, e.g. `analyses[3].groups[1].cutoff`; empty for the root.
    public var path: String

    public init(_ code: Code, _ message: String, file: String, line: Int = 0, column: Int = 0, path: String = "") {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// `file:line:column: path: message`, the form editors and compilers use.
    public var description: String {
        var s = file
        if line > 0 { s += ":\(line):\(column)" }
        s += ": "
        if !path.isEmpty { s += "\(path): " }
        return s + message
    }
}

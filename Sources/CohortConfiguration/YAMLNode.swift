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

        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    public var file: String
    /// 1-based line and column of the node's first character.
    public var line: Int
    public var column: Int
    /// Where the node stands, shared with its parent's: a document's key paths cost one link per
    /// node, however deep or long-keyed the document is (the text is made only for an error).
    var keyPath: YAMLKeyPath

    /// Key path from the document root (`analyses[3].groups[1].cutoff`); empty for the root. Keys
    /// longer than 64 bytes are cut and control characters escaped, as in every error message.
    public var path: String {
        get { keyPath.text }
        set { keyPath = YAMLKeyPath(verbatim: newValue) }
    }

    public init(content: Content, file: String, line: Int, column: Int, path: String) {
        self.init(content: content, file: file, line: line, column: column, keyPath: YAMLKeyPath(verbatim: path))
    }

    init(content: Content, file: String, line: Int, column: Int, keyPath: YAMLKeyPath) {
        self.content = content
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
    }

    public static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        a.line == b.line && a.column == b.column && a.file == b.file && a.content == b.content && a.path == b.path
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(content)
        hasher.combine(file)
        hasher.combine(line)
        hasher.combine(column)
        hasher.combine(path)
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

    /// The same subtree standing at `keyPath` (an alias's expansion takes the path of its use).
    func relocated(to keyPath: YAMLKeyPath) -> YAMLNode {
        var node = self
        node.keyPath = keyPath
        switch content {
        case .scalar: break
        case .sequence(let items):
            node.content = .sequence(items.enumerated().map { k, item in item.relocated(to: keyPath.appending(index: k)) })
        case .mapping(let pairs):
            node.content = .mapping(
                pairs.map { pair in
                    YAMLNode.Pair(
                        key: pair.key.relocated(to: keyPath),
                        value: pair.value.relocated(to: keyPath.appending(key: pair.key.keyText)))
                })
        }
        return node
    }

    /// The text a key contributes to its value's path.
    var keyText: String {
        if case .scalar(let text, _) = content { return text }
        return "?"
    }
}

/// A key path as a chain of links to the parent's: `analyses` → `[3]` → `groups`.
final class YAMLKeyPath: Sendable {
    enum Link: Sendable {
        case verbatim(String)
        case key(String)
        case index(Int)
    }

    let parent: YAMLKeyPath?
    let link: Link

    static let root = YAMLKeyPath(verbatim: "")

    init(verbatim text: String) {
        parent = nil
        link = .verbatim(text)
    }

    private init(parent: YAMLKeyPath, link: Link) {
        self.parent = parent
        self.link = link
    }

    func appending(key: String) -> YAMLKeyPath { YAMLKeyPath(parent: self, link: .key(key)) }
    func appending(index: Int) -> YAMLKeyPath { YAMLKeyPath(parent: self, link: .index(index)) }

    /// `analyses[3].groups`.
    var text: String {
        var links: [Link] = []
        var current: YAMLKeyPath? = self
        while let node = current {
            links.append(node.link)
            current = node.parent
        }
        var s = ""
        for link in links.reversed() {
            switch link {
            case .verbatim(let text): s += text
            case .index(let k): s += "[\(k)]"
            case .key(let key):
                if !s.isEmpty { s += "." }
                s += ShownText.cut(key)
            }
        }
        return s
    }
}

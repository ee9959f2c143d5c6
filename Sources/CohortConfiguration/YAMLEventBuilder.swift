internal import CYAML

/// Builds a ``YAMLNode`` tree from libyaml's events with an explicit stack of open collections,
/// checking every ``YAMLLimits`` bound and every tag as the event arrives.
struct YAMLEventBuilder {
    /// An open list or mapping.
    private struct Frame {
        var isMapping: Bool
        var line: Int
        var column: Int
        var keyPath: YAMLKeyPath
        var anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLNode.Pair] = []
        /// A mapping's key waiting for its value.
        var pendingKey: YAMLNode?
        /// Nodes in the subtree so far (this one included), and its nesting height.
        var nodes = 1
        var height = 1
    }

    /// A finished subtree an alias may repeat.
    private struct Anchored {
        var node: YAMLNode
        var nodes: Int
        var height: Int
    }

    let file: String
    let limits: YAMLLimits
    private(set) var root: YAMLNode?
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var nodes = 0
    private var documents = 0

    init(file: String, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    mutating func take(_ event: yaml_event_t) throws {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw ConfigurationError(
                    .syntax, "a second YAML document starts here; a configuration file holds one document",
                    file: file, line: line, column: column)
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = Self.text(scalar.value, count: scalar.length)
            var plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            if let tag = Self.optionalText(scalar.tag) {
                switch tag {
                case "!", "tag:yaml.org,2002:str": plain = false
                case "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float": plain = true
                default: throw unknownTag(tag, line: line, column: column)
                }
            }
            try count(1, line: line, column: column)
            let node = YAMLNode(content: .scalar(text, plain: plain), file: file, line: line, column: column, keyPath: nextKeyPath())
            try finish(node, nodes: 1, height: 0, anchor: Self.optionalText(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tag = Self.optionalText(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
            if let tag, tag != "!", tag != (isMapping ? "tag:yaml.org,2002:map" : "tag:yaml.org,2002:seq") {
                throw unknownTag(tag, line: line, column: column)
            }
            let keyPath = nextKeyPath()
            guard stack.count < limits.maximumDepth else {
                throw ConfigurationError(
                    .tooDeep, "lists and mappings nest more than \(limits.maximumDepth) deep here",
                    file: file, line: line, column: column, path: keyPath.text)
            }
            try count(1, line: line, column: column)
            let anchor = Self.optionalText(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
            stack.append(Frame(isMapping: isMapping, line: line, column: column, keyPath: keyPath, anchor: anchor))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            let node = YAMLNode(content: content, file: file, line: frame.line, column: frame.column, keyPath: frame.keyPath)
            try finish(node, nodes: frame.nodes, height: frame.height, anchor: frame.anchor)
        case YAML_ALIAS_EVENT:
            let name = Self.optionalText(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw ConfigurationError(
                    .syntax, "alias '*\(ShownText.cut(name))' names no anchor defined before it", file: file, line: line, column: column)
            }
            let keyPath = nextKeyPath()
            guard stack.count + anchored.height <= limits.maximumDepth else {
                throw ConfigurationError(
                    .tooDeep, "the alias '*\(ShownText.cut(name))' makes lists and mappings nest more than \(limits.maximumDepth) deep",
                    file: file, line: line, column: column, path: keyPath.text)
            }
            try count(anchored.nodes, line: line, column: column)
            try finish(anchored.node.relocated(to: keyPath), nodes: anchored.nodes, height: anchored.height, anchor: nil)
        default:
            break
        }
    }

    /// The key path of the node the next event starts: a mapping's key stands at the mapping's
    /// path, its value below the key's text, a list's item at its index.
    private func nextKeyPath() -> YAMLKeyPath {
        guard let top = stack.last else { return .root }
        if top.isMapping {
            guard let key = top.pendingKey else { return top.keyPath }
            return top.keyPath.appending(key: key.keyText)
        }
        return top.keyPath.appending(index: top.items.count)
    }

    /// Counts `added` nodes against ``YAMLLimits/maximumNodes``.
    private mutating func count(_ added: Int, line: Int, column: Int) throws {
        nodes += added
        guard nodes <= limits.maximumNodes else {
            throw ConfigurationError(
                .tooLarge, "the document has more than \(limits.maximumNodes) values (aliases counted at their expanded size)",
                file: file, line: line, column: column)
        }
    }

    /// Puts a finished node into the collection that holds it (or makes it the root).
    private mutating func finish(_ node: YAMLNode, nodes: Int, height: Int, anchor: String?) throws {
        if let anchor { anchors[anchor] = Anchored(node: node, nodes: nodes, height: height) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].nodes += nodes
        stack[top].height = max(stack[top].height, height + 1)
        if stack[top].isMapping {
            if let key = stack[top].pendingKey {
                stack[top].pairs.append(YAMLNode.Pair(key: key, value: node))
                stack[top].pendingKey = nil
            } else {
                stack[top].pendingKey = node
            }
        } else {
            stack[top].items.append(node)
        }
    }

    private func unknownTag(_ tag: String, line: Int, column: Int) -> ConfigurationError {
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        return ConfigurationError(
            .unknownTag, "unknown tag '\(ShownText.cut(String(shown)))'; only !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are read",
            file: file, line: line, column: column, path: nextKeyPath().text)
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private static func optionalText(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}

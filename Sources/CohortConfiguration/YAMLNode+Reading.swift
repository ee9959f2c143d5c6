import CohortData

/// Typed reading of nodes: each accessor reads a node as the type the schema expects and throws
/// a located ``ConfigurationError`` otherwise.
extension YAMLNode {
    /// The scalar's text, whatever its style.
    public func string() throws -> String {
        guard case .scalar(let text, _) = content else {
            throw error(.wrongType, "expected a text value, found \(kindDescription)")
        }
        return text
    }

    /// A finite number.
    public func double() throws -> Double {
        let text = try string()
        guard let value = Double(text.trimmingCharacters()), value.isFinite else {
            throw error(.invalidValue, "expected a number, found \"\(ShownText.cut(text))\"")
        }
        return value
    }

    /// A whole number.
    public func int() throws -> Int {
        let text = try string()
        guard let value = Int(text.trimmingCharacters()) else {
            throw error(.invalidValue, "expected a whole number, found \"\(ShownText.cut(text))\"")
        }
        return value
    }

    /// `true`/`false` (also `yes`/`no`, `on`/`off`, any case).
    public func bool() throws -> Bool {
        let text = try string()
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(.invalidValue, "expected true or false, found \"\(ShownText.cut(text))\"")
        }
    }

    /// One of the raw values of `T`, with a suggestion for a near miss.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        if let value = T(rawValue: text) { return value }
        throw error(.invalidValue, NearMiss.notOneOf(text, options: T.allCases.map(\.rawValue)))
    }

    /// The items of a list.
    public func list() throws -> [YAMLNode] {
        guard case .sequence(let items) = content else {
            throw error(.wrongType, "expected a list, found \(kindDescription)")
        }
        return items
    }

    /// A list of texts; a single scalar is read as a list of one.
    public func stringList() throws -> [String] {
        if case .scalar = content { return [try string()] }
        return try list().map { try $0.string() }
    }

    /// A list of numbers; a single scalar is read as a list of one.
    public func doubleList() throws -> [Double] {
        if case .scalar = content { return [try double()] }
        return try list().map { try $0.double() }
    }

    /// The node as a mapping whose keys must all be in `allowed`.
    ///
    /// - Throws: `unknown_key` at the first key not allowed, with a suggestion for a near miss;
    ///   `duplicate` for a key given twice.
    public func mapping(allowing allowed: [String]) throws -> YAMLMapping {
        let mapping = try anyMapping()
        for pair in mapping.pairs {
            let key = try pair.key.string()
            if !allowed.contains(key) {
                var message = "unknown key '\(ShownText.cut(key))'"
                if let guess = NearMiss.closest(to: key, among: allowed) { message += " — did you mean '\(guess)'?" }
                throw pair.key.error(.unknownKey, message)
            }
        }
        return mapping
    }

    /// The node as a mapping with any keys (e.g. `columns`, whose keys are the user's names).
    public func anyMapping() throws -> YAMLMapping {
        guard case .mapping(let pairs) = content else {
            throw error(.wrongType, "expected a mapping, found \(kindDescription)")
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(pairs.count)
        for (k, pair) in pairs.enumerated() {
            let key = try pair.key.string()
            if index.updateValue(k, forKey: key) != nil {
                throw pair.key.error(.duplicate, "key '\(ShownText.cut(key))' appears twice")
            }
        }
        return YAMLMapping(node: self, pairs: pairs, index: index)
    }
}

/// A mapping node's entries, in file order, with an index of its keys (each key is looked up in
/// constant time, so reading a mapping is linear in its size).
public struct YAMLMapping: Sendable {
    public let node: YAMLNode
    public let pairs: [YAMLNode.Pair]
    private let index: [String: Int]

    init(node: YAMLNode, pairs: [YAMLNode.Pair], index: [String: Int]) {
        self.node = node
        self.pairs = pairs
        self.index = index
    }

    /// The value for `key`, or `nil`; a plain null value counts as absent.
    public subscript(key: String) -> YAMLNode? {
        guard let k = index[key], !pairs[k].value.isNull else { return nil }
        return pairs[k].value
    }

    /// The value for a required key.
    public func required(_ key: String) throws -> YAMLNode {
        guard let value = self[key] else {
            throw node.error(.missingKey, "required key '\(key)' is missing")
        }
        return value
    }
}

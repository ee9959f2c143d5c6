/// Encodes any `Encodable` into a ``JSONValue``, keeping keys in the order they are encoded and
/// writing `nil` optionals as `null` (the results contract: "a value that is not estimable is
/// null, never a missing key"). Non-finite doubles become `null`.
///
/// Built for speed (a daemon run encodes every analysis's output): scalars of the common types
/// are taken by the containers' typed overloads without dynamic casts, and coding paths are not
/// tracked (this encoder raises no errors that would report them; `codingPath` is always empty).
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let storage = Storage()
        try Self.scalar(value, into: storage.root, storage: storage, codingPath: [])
        return storage.value(of: storage.root)
    }

    /// Nodes under construction, addressed by index so containers can be filled in any order;
    /// containers keep their children in per-slot arrays mutated in place (no copies).
    final class Storage {
        enum Kind { case empty, value, object, array }

        /// One node: a scalar, or an object's keys and children, or an array's children.
        struct Node {
            var kind = Kind.empty
            var value = JSONValue.null
            var keys: [String] = []
            var children: [Int] = []
        }

        var nodes: [Node] = [Node()]
        let root = 0

        func make() -> Int {
            nodes.append(Node())
            return nodes.count - 1
        }

        func value(of slot: Int) -> JSONValue {
            let node = nodes[slot]
            switch node.kind {
            case .empty: return .null
            case .value: return node.value
            case .object:
                var pairs: [(key: String, value: JSONValue)] = []
                pairs.reserveCapacity(node.keys.count)
                for (key, child) in zip(node.keys, node.children) { pairs.append((key, value(of: child))) }
                return .object(pairs)
            case .array: return .array(node.children.map { value(of: $0) })
            }
        }

        /// A new member `key` of the object at `slot` (Codable encodes each key once).
        func child(of slot: Int, key: String) -> Int {
            ensureObject(slot)
            let c = make()
            nodes[slot].keys.append(key)
            nodes[slot].children.append(c)
            return c
        }

        func append(to slot: Int) -> Int {
            ensureArray(slot)
            let c = make()
            nodes[slot].children.append(c)
            return c
        }

        func set(_ slot: Int, _ value: JSONValue) {
            nodes[slot].kind = .value
            nodes[slot].value = value
        }

        func ensureObject(_ slot: Int) {
            if nodes[slot].kind != .object {
                nodes[slot].kind = .object
                nodes[slot].keys = []
                nodes[slot].children = []
            }
        }

        func ensureArray(_ slot: Int) {
            if nodes[slot].kind != .array {
                nodes[slot].kind = .array
                nodes[slot].children = []
            }
        }
    }

    struct Writer: Encoder {
        let slot: Int
        let storage: Storage
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            storage.ensureObject(slot)
            return KeyedEncodingContainer(Keyed<Key>(slot: slot, storage: storage, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            storage.ensureArray(slot)
            return Unkeyed(slot: slot, storage: storage, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: slot, storage: storage, codingPath: codingPath) }
    }

    static func scalar<T: Encodable>(_ value: T, into slot: Int, storage: Storage, codingPath: [any CodingKey]) throws {
        switch value {
        case let v as Double: storage.set(slot, v.isFinite ? .number(v) : .null)
        case let v as Float: storage.set(slot, v.isFinite ? .number(Double(v)) : .null)
        case let v as Int: storage.set(slot, .number(Double(v)))
        case let v as Int32: storage.set(slot, .number(Double(v)))
        case let v as Int64: storage.set(slot, .number(Double(v)))
        case let v as UInt64: storage.set(slot, .number(Double(v)))
        case let v as Bool: storage.set(slot, .bool(v))
        case let v as String: storage.set(slot, .string(v))
        case let v as JSONValue: storage.set(slot, v)
        default: try value.encode(to: Writer(slot: slot, storage: storage, codingPath: codingPath))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let slot: Int
        let storage: Storage
        var codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { storage.set(storage.child(of: slot, key: key.stringValue), .null) }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            storage.set(storage.child(of: slot, key: key.stringValue), value.isFinite ? .number(value) : .null)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws {
            storage.set(storage.child(of: slot, key: key.stringValue), .number(Double(value)))
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            storage.set(storage.child(of: slot, key: key.stringValue), .string(value))
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            storage.set(storage.child(of: slot, key: key.stringValue), .bool(value))
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try JSONValueEncoder.scalar(value, into: storage.child(of: slot, key: key.stringValue), storage: storage, codingPath: codingPath)
        }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let c = storage.child(of: slot, key: key.stringValue)
            storage.ensureObject(c)
            return KeyedEncodingContainer(Keyed<NestedKey>(slot: c, storage: storage, codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let c = storage.child(of: slot, key: key.stringValue)
            storage.ensureArray(c)
            return Unkeyed(slot: c, storage: storage, codingPath: codingPath)
        }
        mutating func superEncoder() -> any Encoder { Writer(slot: slot, storage: storage, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            Writer(slot: storage.child(of: slot, key: key.stringValue), storage: storage, codingPath: codingPath)
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let slot: Int
        let storage: Storage
        var codingPath: [any CodingKey]
        var count = 0

        mutating func encodeNil() throws {
            storage.set(storage.append(to: slot), .null)
            count += 1
        }
        mutating func encode(_ value: Double) throws {
            storage.set(storage.append(to: slot), value.isFinite ? .number(value) : .null)
            count += 1
        }
        mutating func encode(_ value: Int) throws {
            storage.set(storage.append(to: slot), .number(Double(value)))
            count += 1
        }
        mutating func encode(_ value: String) throws {
            storage.set(storage.append(to: slot), .string(value))
            count += 1
        }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try JSONValueEncoder.scalar(value, into: storage.append(to: slot), storage: storage, codingPath: codingPath)
            count += 1
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let c = storage.append(to: slot)
            storage.ensureObject(c)
            count += 1
            return KeyedEncodingContainer(Keyed<NestedKey>(slot: c, storage: storage, codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let c = storage.append(to: slot)
            storage.ensureArray(c)
            count += 1
            return Unkeyed(slot: c, storage: storage, codingPath: codingPath)
        }
        mutating func superEncoder() -> any Encoder { Writer(slot: storage.append(to: slot), storage: storage, codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let slot: Int
        let storage: Storage
        var codingPath: [any CodingKey]

        mutating func encodeNil() throws { storage.set(slot, .null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try JSONValueEncoder.scalar(value, into: slot, storage: storage, codingPath: codingPath)
        }
    }
}

extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .number(let v): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .array, .object:
            // Only reached by foreign encoders; ours stores JSONValue directly.
            try container.encode(serialized(indent: 0))
        }
    }
}

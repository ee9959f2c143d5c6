/// Encodes any `Encodable` into a ``JSONValue``, keeping keys in the order they are encoded and
/// writing `nil` optionals as `null` (the results contract: "a value that is not estimable is
/// null, never a missing key"). Non-finite doubles become `null`.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let storage = Storage()
        try Self.scalar(value, into: storage.root, storage: storage, codingPath: [])
        return storage.value(of: storage.root)
    }

    /// Nodes under construction, addressed by index so containers can be filled in any order.
    final class Storage {
        enum Node {
            case empty
            case value(JSONValue)
            case object([(String, Int)])
            case array([Int])
        }

        var nodes: [Node] = [.empty]
        let root = 0

        func make() -> Int {
            nodes.append(.empty)
            return nodes.count - 1
        }

        func value(of slot: Int) -> JSONValue {
            switch nodes[slot] {
            case .empty: return .null
            case .value(let v): return v
            case .object(let pairs): return .object(pairs.map { ($0.0, value(of: $0.1)) })
            case .array(let items): return .array(items.map { value(of: $0) })
            }
        }

        func child(of slot: Int, key: String) -> Int {
            if case .object(var pairs) = nodes[slot] {
                if let existing = pairs.first(where: { $0.0 == key }) { return existing.1 }
                let c = make()
                pairs.append((key, c))
                nodes[slot] = .object(pairs)
                return c
            }
            let c = make()
            nodes[slot] = .object([(key, c)])
            return c
        }

        func append(to slot: Int) -> Int {
            let c = make()
            if case .array(var items) = nodes[slot] {
                items.append(c)
                nodes[slot] = .array(items)
            } else {
                nodes[slot] = .array([c])
            }
            return c
        }

        func set(_ slot: Int, _ value: JSONValue) { nodes[slot] = .value(value) }
        func ensureObject(_ slot: Int) { if case .object = nodes[slot] {} else { nodes[slot] = .object([]) } }
        func ensureArray(_ slot: Int) { if case .array = nodes[slot] {} else { nodes[slot] = .array([]) } }
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
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try JSONValueEncoder.scalar(value, into: storage.child(of: slot, key: key.stringValue), storage: storage, codingPath: codingPath + [key])
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
            return KeyedEncodingContainer(Keyed<NestedKey>(slot: c, storage: storage, codingPath: codingPath + [key]))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let c = storage.child(of: slot, key: key.stringValue)
            storage.ensureArray(c)
            return Unkeyed(slot: c, storage: storage, codingPath: codingPath + [key])
        }
        mutating func superEncoder() -> any Encoder { Writer(slot: slot, storage: storage, codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            Writer(slot: storage.child(of: slot, key: key.stringValue), storage: storage, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let slot: Int
        let storage: Storage
        var codingPath: [any CodingKey]
        var count = 0

        mutating func encodeNil() throws { storage.set(storage.append(to: slot), .null); count += 1 }
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

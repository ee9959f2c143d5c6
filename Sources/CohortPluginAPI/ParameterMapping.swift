import Synchronization

/// The keys a plugin's mapping may hold, declared once: a key outside the enumeration is rejected
/// before the plugin reads anything, and a plugin can only read keys of its enumeration.
public protocol ParameterKey: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == String {}

/// A mapping of parameters whose keys are checked against `Key`: typed, located reads.
public struct ParameterMapping<Key: ParameterKey> {
    /// The mapping itself (errors about the whole mapping are located at it).
    public let value: any ParameterValue
    private let entries: [(key: String, value: any ParameterValue)]
    private let log = ReadLog()

    /// A mapping whose entries were already checked against `Key` (``ParameterValue/mapping(_:alsoAllowing:)``).
    init(value: any ParameterValue, entries: [(key: String, value: any ParameterValue)]) {
        self.value = value
        self.entries = entries
    }

    /// The value of `key`, or `nil` when it is absent or written as null.
    public subscript(_ key: Key) -> (any ParameterValue)? {
        log.record(key.rawValue)
        guard let entry = entries.first(where: { $0.key == key.rawValue }), !entry.value.isNull else { return nil }
        return entry.value
    }

    /// The value of a key that must be given.
    public func required(_ key: Key) throws -> any ParameterValue {
        guard let found = self[key] else { throw value.error(.missingKey, "required key '\(key.rawValue)' is missing") }
        return found
    }

    /// An error about the whole mapping.
    public func error(_ problem: ParameterProblem, _ message: String) -> any Error { value.error(problem, message) }

    /// The keys looked up so far (the conformance suite checks that a plugin reads every key it declares).
    public var keysRead: Set<Key> { Set(log.keys.compactMap(Key.init(rawValue:))) }

    public func string(_ key: Key) throws -> String? { try self[key]?.string() }
    public func number(_ key: Key) throws -> Double? { try self[key]?.number() }
    public func integer(_ key: Key) throws -> Int? { try self[key]?.integer() }
    public func boolean(_ key: Key) throws -> Bool? { try self[key]?.boolean() }
    public func numbers(_ key: Key) throws -> [Double]? { try self[key]?.numbers() }
    public func strings(_ key: Key) throws -> [String]? { try self[key]?.strings() }
    public func choice<T: RawRepresentable & CaseIterable>(_ key: Key, _ type: T.Type) throws -> T? where T.RawValue == String {
        try self[key]?.choice(type)
    }
}

/// The keys a mapping was asked for.
private final class ReadLog: Sendable {
    private let read = Mutex<Set<String>>([])
    func record(_ key: String) { read.withLock { _ = $0.insert(key) } }
    var keys: Set<String> { read.withLock { $0 } }
}

import CohortData
public import CohortJSON

/// One value of a plugin's parameters as the user wrote it, with where it stands, so that every
/// error a plugin raises about it points at the file, line, column and key path.
///
/// The pipeline loader implements it over its configuration format (YAML); plugins never see
/// that format. Requirements, each testable:
/// - A read of the wrong shape or form throws ``error(_:_:)`` located at this value, never traps.
/// - ``isNull`` is `true` only for a value written as null; a null value counts as absent wherever a
///   mapping is read (``ParameterMapping/subscript(_:)``).
/// - ``entries()`` rejects a key given twice (``ParameterProblem/duplicate``).
/// - ``error(_:_:)`` returns an error whose description starts with the value's location.
public protocol ParameterValue {
    /// Scalar, list or mapping.
    var shape: ParameterShape { get }
    /// Whether the value was written as null (`~`, `null` or nothing).
    var isNull: Bool { get }
    /// The scalar's text, whatever its quoting.
    func string() throws -> String
    /// A finite number.
    func number() throws -> Double
    /// A whole number.
    func integer() throws -> Int
    /// `true` or `false` (and the configuration format's spellings of them).
    func boolean() throws -> Bool
    /// The items of a list.
    func items() throws -> [any ParameterValue]
    /// The entries of a mapping, in the order written, whatever their keys.
    func entries() throws -> [(key: any ParameterValue, value: any ParameterValue)]
    /// The value as JSON (numbers, booleans and null where written plainly; texts otherwise).
    func json() -> JSONValue
    /// An error about this value, located at it.
    func error(_ problem: ParameterProblem, _ message: String) -> any Error
}

/// The shape of a ``ParameterValue``.
public enum ParameterShape: Sendable, Hashable {
    case scalar
    case list
    case mapping
}

/// What is wrong with a parameter, for ``ParameterValue/error(_:_:)``.
public enum ParameterProblem: String, Sendable, Hashable, CaseIterable {
    /// A key the plugin does not declare (typos must not be ignored).
    case unknownKey = "unknown_key"
    /// A required key is absent.
    case missingKey = "missing_key"
    /// A value has the wrong shape (scalar, list or mapping).
    case wrongType = "wrong_type"
    /// A value is outside what the key accepts.
    case invalidValue = "invalid_value"
    /// A variable that is neither declared nor derived.
    case undeclaredVariable = "undeclared_variable"
    /// A key given twice.
    case duplicate
}

extension ParameterValue {
    /// One of the raw values of `T`, with a suggestion for a near miss.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        if let value = T(rawValue: text) { return value }
        throw error(.invalidValue, Suggestion.notOneOf(text, options: T.allCases.map(\.rawValue)))
    }

    /// A list of texts; a single scalar is read as a list of one.
    public func strings() throws -> [String] {
        if shape == .scalar { return [try string()] }
        return try items().map { try $0.string() }
    }

    /// A list of numbers; a single scalar is read as a list of one.
    public func numbers() throws -> [Double] {
        if shape == .scalar { return [try number()] }
        return try items().map { try $0.number() }
    }

    /// The value as a mapping whose keys are `Key`'s cases (and `alsoAllowing`).
    ///
    /// - Throws: ``ParameterProblem/unknownKey`` at the first other key, with a suggestion for a
    ///   near miss.
    public func mapping<Key: ParameterKey>(_ keys: Key.Type, alsoAllowing extra: [String] = []) throws -> ParameterMapping<Key> {
        let allowed = extra + Key.allCases.map(\.rawValue)
        var named: [(key: String, value: any ParameterValue)] = []
        for entry in try entries() {
            let key = try entry.key.string()
            if !allowed.contains(key) {
                var message = "unknown key '\(key)'"
                if let guess = Suggestion.closest(to: key, among: allowed) { message += " — did you mean '\(guess)'?" }
                throw entry.key.error(.unknownKey, message)
            }
            named.append((key, entry.value))
        }
        return ParameterMapping(value: self, entries: named)
    }
}

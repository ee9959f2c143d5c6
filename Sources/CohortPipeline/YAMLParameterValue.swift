public import CohortConfiguration
public import CohortJSON
public import CohortPluginAPI

/// A plugin parameter read from a YAML node: the plugin API's ``ParameterValue`` over the
/// configuration module's located nodes, so that plugins never see YAML and their errors are still
/// `file:line:column: key.path: message`.
public struct YAMLParameterValue: ParameterValue {
    public let node: YAMLNode

    public init(_ node: YAMLNode) { self.node = node }

    public var shape: ParameterShape {
        switch node.content {
        case .scalar: return .scalar
        case .sequence: return .list
        case .mapping: return .mapping
        }
    }

    public var isNull: Bool { node.isNull }
    public func string() throws -> String { try node.string() }
    public func number() throws -> Double { try node.double() }
    public func integer() throws -> Int { try node.int() }
    public func boolean() throws -> Bool { try node.bool() }
    public func items() throws -> [any ParameterValue] { try node.list().map(YAMLParameterValue.init) }

    public func entries() throws -> [(key: any ParameterValue, value: any ParameterValue)] {
        try node.anyMapping().pairs.map { (YAMLParameterValue($0.key), YAMLParameterValue($0.value)) }
    }

    /// Plain scalars that read as numbers, booleans or null become those; everything else a string.
    public func json() -> JSONValue { Self.json(node) }

    static func json(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .scalar(let text, let plain):
            if plain {
                if node.isNull { return .null }
                if text == "true" { return .bool(true) }
                if text == "false" { return .bool(false) }
                if let v = Double(text), v.isFinite { return .number(v) }
            }
            return .string(text)
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let pairs):
            return .object(pairs.map { (key: (try? $0.key.string()) ?? "", value: json($0.value)) })
        }
    }

    public func error(_ problem: ParameterProblem, _ message: String) -> any Error {
        node.error(Self.code(problem), message)
    }

    static func code(_ problem: ParameterProblem) -> ConfigurationError.Code {
        switch problem {
        case .unknownKey: return .unknownKey
        case .missingKey: return .missingKey
        case .wrongType: return .wrongType
        case .invalidValue: return .invalidValue
        case .undeclaredVariable: return .undeclaredVariable
        case .duplicate: return .duplicate
        }
    }
}

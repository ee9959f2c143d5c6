import CohortData
import CohortJSON
import CohortPluginAPI
import Testing

/// A parameter value made in memory: the plugin API's rules tested without any configuration format.
struct FakeValue: ParameterValue {
    enum Content {
        case scalar(String)
        case list([FakeValue])
        case mapping([(String, FakeValue)])
    }

    var content: Content
    var path: String

    init(_ content: Content, path: String = "") {
        self.content = content
        self.path = path
    }

    struct Located: Error, Equatable {
        var path: String
        var problem: ParameterProblem
        var message: String
    }

    var shape: ParameterShape {
        switch content {
        case .scalar: return .scalar
        case .list: return .list
        case .mapping: return .mapping
        }
    }

    var isNull: Bool {
        if case .scalar("~") = content { return true }
        return false
    }

    func string() throws -> String {
        guard case .scalar(let s) = content else { throw error(.wrongType, "expected a text value") }
        return s
    }

    func number() throws -> Double {
        guard let v = Double(try string()), v.isFinite else { throw error(.invalidValue, "expected a number") }
        return v
    }

    func integer() throws -> Int {
        guard let v = Int(try string()) else { throw error(.invalidValue, "expected a whole number") }
        return v
    }

    func boolean() throws -> Bool {
        switch try string() {
        case "true": return true
        case "false": return false
        default: throw error(.invalidValue, "expected true or false")
        }
    }

    func items() throws -> [any ParameterValue] {
        guard case .list(let items) = content else { throw error(.wrongType, "expected a list") }
        return items.enumerated().map { k, v in FakeValue(v.content, path: "\(path)[\(k)]") }
    }

    func entries() throws -> [(key: any ParameterValue, value: any ParameterValue)] {
        guard case .mapping(let pairs) = content else { throw error(.wrongType, "expected a mapping") }
        return pairs.map { (FakeValue(.scalar($0.0), path: "\(path).\($0.0)"), FakeValue($0.1.content, path: "\(path).\($0.0)")) }
    }

    func json() -> JSONValue { .null }

    func error(_ problem: ParameterProblem, _ message: String) -> any Error { Located(path: path, problem: problem, message: message) }
}

func scalar(_ s: String) -> FakeValue { FakeValue(.scalar(s)) }
func map(_ pairs: [(String, FakeValue)]) -> FakeValue { FakeValue(.mapping(pairs), path: "a") }

enum SampleKey: String, ParameterKey {
    case times, conf_level, conf_type, ties, group
}

@Suite struct ParameterMappingTests {
    @Test func unknownKeysAreRejectedAtTheKeyWithASuggestion() throws {
        let value = map([("times", scalar("1")), ("conf_levle", scalar("0.9"))])
        #expect(
            throws: FakeValue.Located(
                path: "a.conf_levle", problem: .unknownKey,
                message: "unknown key 'conf_levle' — did you mean 'conf_level'?")
        ) {
            try value.mapping(SampleKey.self)
        }
        _ = try value.mapping(SampleKey.self, alsoAllowing: ["conf_levle"])
    }

    @Test func nullIsAbsentAndRequiredKeysAreReported() throws {
        let m = try map([("times", scalar("~"))]).mapping(SampleKey.self)
        #expect(m[.times] == nil)
        #expect(throws: FakeValue.Located(path: "a", problem: .missingKey, message: "required key 'times' is missing")) {
            try m.required(.times)
        }
        #expect(m.keysRead == [.times])
    }

    @Test func listsAcceptASingleScalar() throws {
        let m = try map([("times", scalar("12")), ("group", FakeValue(.list([scalar("1"), scalar("x")])))]).mapping(SampleKey.self)
        #expect(try m.numbers(.times) == [12])
        #expect(try m.strings(.group) == ["1", "x"])
        #expect(throws: FakeValue.Located.self) { try m.numbers(.group) }
    }

    @Test func sharedConfidenceAndTiesRules() throws {
        let defaults = try map([]).mapping(SampleKey.self)
        #expect(try defaults.confidenceLevel(.conf_level) == 0.95)
        #expect(try defaults.survivalConfidence(type: .conf_type, level: .conf_level, profile: .r).type == .log)
        #expect(try defaults.survivalConfidence(type: .conf_type, level: .conf_level, profile: nil).type == .logLog)
        #expect(try defaults.ties(.ties, profile: .ezr) == .breslow)
        #expect(try defaults.ties(.ties, profile: .r) == .efron)
        let bad = try map([("conf_level", scalar("1")), ("conf_type", scalar("loglog"))]).mapping(SampleKey.self)
        #expect(throws: FakeValue.Located(path: "a.conf_level", problem: .invalidValue, message: "conf_level must be between 0 and 1")) {
            try bad.confidenceLevel(.conf_level)
        }
        #expect(throws: FakeValue.Located.self) { try bad.choice(.conf_type, SurvivalConfidenceTypeProxy.self) }
    }
}

/// The choice rule on an enumeration of this test's own.
enum SurvivalConfidenceTypeProxy: String, CaseIterable {
    case plain, log
    case logLog = "log-log"
}

@Suite struct AnalysisContextTests {
    static let context = AnalysisContext(
        id: "x", kinds: ["age": .number, "sex": .category], survival: nil, profile: nil,
        labels: ["age": "Age"], earlier: [EarlierAnalysis(id: "roc", plugin: "roc_cutoff", output: Int.self)])

    @Test func variablesAreCheckedByNameAndKind() throws {
        #expect(try Self.context.variable(scalar("age"), kinds: [.number]) == "age")
        #expect(
            throws: FakeValue.Located(
                path: "", problem: .undeclaredVariable,
                message: "'agee' is neither a declared column nor a derived variable — did you mean 'age'?")
        ) {
            try Self.context.variable(scalar("agee"))
        }
        #expect(
            throws: FakeValue.Located(
                path: "", problem: .invalidValue,
                message: "'sex' is a category variable; this needs integer or number")
        ) {
            try Self.context.variable(scalar("sex"), kinds: [.number, .integer])
        }
        #expect(Self.context.label("age") == "Age" && Self.context.label("sex") == "sex")
    }

    @Test func survivalAndEarlierAnalyses() throws {
        #expect(throws: FakeValue.Located.self) { try Self.context.requireSurvival(at: scalar("x")) }
        #expect(try Self.context.earlierAnalysis(scalar("roc")).plugin == "roc_cutoff")
        #expect(
            throws: FakeValue.Located(
                path: "", problem: .invalidValue,
                message: "'rco' is not an analysis listed before this one — did you mean 'roc'?")
        ) {
            try Self.context.earlierAnalysis(scalar("rco"))
        }
    }
}

import CohortJSON
import Testing

/// The JSON value, its encoder (the results contract's rules) and parser.
@Suite struct JSONEncoderTests {
    struct Sample: Encodable {
        var a: Double?
        var b: Int
        var c: [String]
        var d: Double
        var nested: Nested?
        struct Nested: Encodable { var x: Bool? }
    }

    @Test func nilIsNullAndNonFiniteIsNullKeysInDeclarationOrder() throws {
        let value = try JSONValueEncoder().encode(Sample(a: nil, b: 3, c: ["x"], d: .nan, nested: .init(x: nil)))
        #expect(value.serialized(indent: 0) == #"{"a":null,"b":3,"c":["x"],"d":null,"nested":{"x":null}}"#)
    }

    @Test func numbersKeepFullPrecision() throws {
        let value = try JSONValueEncoder().encode([0.1 + 0.2, 1e-300, 123_456_789_012, -0.5])
        let parsed = try JSONParser.parse(value.serializedBytes())
        #expect(parsed == value)
    }
}

@Suite struct JSONParserTests {
    @Test func parsesAndKeepsKeyOrder() throws {
        let value = try JSONParser.parse(Array(#"{"z": 1, "a": [true, null, "\u00e9\n"], "m": {"k": -2.5e3}}"#.utf8))
        guard case .object(let pairs) = value else {
            Issue.record("not an object")
            return
        }
        #expect(pairs.map(\.key) == ["z", "a", "m"])
        #expect(value["a"] == .array([.bool(true), .null, .string("é\n")]))
        #expect(value["m"]?["k"] == .number(-2500))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "1 2", "[" + String(repeating: "[", count: 300)])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func minifiedEqualsTheCompactSerialisation() throws {
        let value: JSONValue = .object([("a b", .array([.number(1), .string("x \" y\\ ")])), ("c", .object([]))])
        let pretty = value.serializedBytes(indent: 2)
        #expect(JSONValue.minified(pretty[...]) == value.serializedBytes(indent: 0))
    }
}

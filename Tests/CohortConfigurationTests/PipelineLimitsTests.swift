import CohortConfiguration
import Testing

/// Names, ids and large documents (issue 9, items 8 and 9).
@Suite struct PipelineLimitsTests {
    static func pipeline(name: String = "test", id: String = "km", columns: String = "time: number") -> String {
        "name: \(name)\nmatch: [\"*.csv\"]\ncolumns:\n  \(columns)\nanalyses:\n  - {id: \(id), plugin: anything}\n"
    }

    static func error(_ yaml: String) -> ConfigurationError? {
        configurationError { _ = try Pipeline(yaml: yaml, file: "p.yaml") }
    }

    @Test func namesAreAtMost64CharactersOfASafeSet() throws {
        #expect(Self.error(Self.pipeline(name: String(repeating: "a", count: 64))) == nil)
        let long = try #require(Self.error(Self.pipeline(name: String(repeating: "a", count: 300))))
        #expect(long.code == .invalidValue)
        #expect(long.line == 1 && long.column == 7)
        #expect(long.message.contains("at most 64 characters"))
        #expect(long.message.utf8.count < 250)
        for bad in ["\"../etc\"", "\"a/b\"", "\"-a\"", "Ab", "\"a b\"", "\"\"", "\"é\""] {
            #expect(Self.error(Self.pipeline(name: bad))?.code == .invalidValue, "\(bad)")
        }
    }

    @Test func idsAreAtMost64CharactersOfASafeSet() throws {
        #expect(Self.error(Self.pipeline(id: String(repeating: "K", count: 64))) == nil)
        #expect(Self.error(Self.pipeline(id: "Km_plain-2")) == nil)
        let long = try #require(Self.error(Self.pipeline(id: String(repeating: "k", count: 300))))
        #expect(long.code == .invalidValue)
        #expect(long.line == 6 && long.column == 10)
        #expect(long.path == "analyses[0].id")
        for bad in ["\"../x\"", "a.b", "_a", "\"a/b\"", "\"\"", "\"a\\tb\"", "ü"] {
            #expect(Self.error(Self.pipeline(id: bad))?.code == .invalidValue, "\(bad)")
        }
    }

    @Test func aHundredAndFiftyThousandLevelsFitTheLimits() throws {
        let levels = (0..<150_000).map { String($0, radix: 36) }
        let yaml = Self.pipeline(columns: "g: {type: category, levels: [\(levels.joined(separator: ", "))]}")
        #expect(yaml.utf8.count <= YAMLLimits.standard.maximumBytes)
        let pipeline = try Pipeline(yaml: yaml, file: "p.yaml")
        #expect(pipeline.columns.first?.levels.mapping?.count == 150_000)
        #expect(pipeline.columns.first?.levels.mapping?.last?.value == levels.last)
    }

    @Test func levelsPastTheSizeLimitAreRefusedByIt() throws {
        let levels = (0..<150_000).map { "level\($0)" }
        let e = try #require(Self.error(Self.pipeline(columns: "g: {type: category, levels: [\(levels.joined(separator: ", "))]}")))
        #expect(e.code == .tooLarge)
        #expect(e.message.contains("at most 1 MiB"))
    }

    @Test func anUndeclaredNameAmongManyGetsASuggestion() throws {
        let columns = (0..<30_000).map { "c\($0): number" }.joined(separator: "\n  ")
        let yaml = Self.pipeline(columns: columns) + "labels: {c2999x: Label}\n"
        let e = try #require(Self.error(yaml))
        #expect(e.code == .undeclaredVariable)
        #expect(e.message.contains("did you mean 'c2999"))
        let longName = String(repeating: "c", count: 100_000)
        let long = try #require(Self.error(Self.pipeline(columns: columns) + "labels:\n  ? \(longName)\n  : Label\n"))
        #expect(long.code == .undeclaredVariable)
        #expect(!long.message.contains("did you mean"))
        #expect(long.message.utf8.count < 200)
    }
}

import CohortConfiguration
import Foundation
import Testing

/// The limits applied while libyaml parses (depth, size, nodes), tags, and documents.
@Suite struct YAMLLimitsTests {
    static func error(_ yaml: String, limits: YAMLLimits = .standard) -> ConfigurationError? {
        configurationError { _ = try YAMLParser.parse(yaml, file: "p.yaml", limits: limits) }
    }

    static func nestedLists(_ depth: Int) -> String { String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth) }

    @Test func aHundredThousandDeepFlowListStopsAtTheFirstLevelPastTheLimit() throws {
        let e = try #require(Self.error("name: x\nmatch: " + Self.nestedLists(100_000)))
        #expect(e.code == .tooDeep)
        // The root mapping is the first level, so the 64th `[` on line 2, after "match: " (7
        // characters), is the first too deep: column 7 + 64.
        #expect(e.line == 2 && e.column == 7 + YAMLLimits.standard.maximumDepth)
        #expect(e.path == "match" + String(repeating: "[0]", count: YAMLLimits.standard.maximumDepth - 1))
        #expect(e.message.contains("more than 64 deep"))
    }

    @Test func deepBlockListsAndFlowMappingsAreStoppedToo() throws {
        let block = try #require(Self.error(String(repeating: "- ", count: 100_000) + "x"))
        #expect(block.code == .tooDeep && block.line == 1)
        let mappings = try #require(Self.error(String(repeating: "{a: ", count: 100_000) + "x" + String(repeating: "}", count: 100_000)))
        #expect(mappings.code == .tooDeep)
        #expect(mappings.path.hasPrefix("a.a.a"))
    }

    @Test func sixtyFourLevelsAreAcceptedAndSixtyFiveAreNot() throws {
        var node = try YAMLParser.parse(Self.nestedLists(64), file: "p.yaml")
        var depth = 0
        while case .sequence(let items) = node.content, let first = items.first {
            depth += 1
            node = first
        }
        #expect(depth == 64)
        #expect(node.content == .scalar("x", plain: true))
        #expect(Self.error(Self.nestedLists(65))?.code == .tooDeep)
        #expect(Self.error(Self.nestedLists(4), limits: YAMLLimits(maximumDepth: 3))?.code == .tooDeep)
    }

    @Test func aFilePastTheSizeLimitIsRefusedBeforeParsing() throws {
        let big = "title: \"" + String(repeating: "a", count: 1 << 20) + "\"\n"
        let e = try #require(Self.error(big))
        #expect(e.code == .tooLarge)
        #expect(e.message.contains("1 MiB"))
        #expect(e.line == 0)
        #expect(Self.error("a: 1", limits: YAMLLimits(maximumBytes: 3))?.code == .tooLarge)
        #expect(Self.error("a: 1", limits: YAMLLimits(maximumBytes: 4)) == nil)
    }

    @Test func anAliasBombIsRefusedByTheNodeLimit() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for k in 1...9 { yaml += "a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let e = try #require(Self.error(yaml))
        #expect(e.code == .tooLarge)
        #expect(e.message.contains("aliases"))
        #expect(Self.error("[a, b, c, d]", limits: YAMLLimits(maximumNodes: 4))?.code == .tooLarge)
        #expect(Self.error("[a, b, c]", limits: YAMLLimits(maximumNodes: 4)) == nil)
    }

    @Test func anAliasRepeatsItsAnchorAtThePathOfItsUse() throws {
        let root = try YAMLParser.parse("a: &x {k: [1, 2]}\nb: *x\n", file: "p.yaml")
        guard case .mapping(let pairs) = root.content else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs.count == 2)
        guard case .mapping(let inner) = pairs[1].value.content, case .sequence(let items) = inner[0].value.content else {
            Issue.record("not the anchored mapping")
            return
        }
        #expect(items.map(\.content) == [.scalar("1", plain: true), .scalar("2", plain: true)])
        #expect(items[1].line == 1 && items[1].column == 15)
        #expect(pairs[1].value.path == "b")
        #expect(items[1].path == "b.k[1]")
        #expect(Self.error("a: *nowhere")?.code == .syntax)
    }

    @Test func anAliasCannotNestPastTheDepthLimit() throws {
        let yaml = "a: &deep " + Self.nestedLists(40) + "\nb: " + Self.nestedLists(30).replacingOccurrences(of: "x", with: "*deep")
        let e = try #require(Self.error(yaml))
        #expect(e.code == .tooDeep)
        #expect(e.line == 2)
        #expect(Self.error("a: &deep " + Self.nestedLists(40) + "\nb: [*deep]") == nil)
    }

    @Test(arguments: [
        ("a: !!python/object:os.system [ls]", "!!python/object:os.system", 4),
        ("a: !foo x", "!foo", 4),
        ("a:\n  b: !!binary aGVsbG8=", "!!binary", 6),
        ("a: !!map [x]", "!!map", 4),
        ("a: !!seq {x: 1}", "!!seq", 4),
        ("a: !<tag:example.com,2026:thing> x", "tag:example.com,2026:thing", 4),
    ])
    func unknownTagsAreLocatedErrors(yaml: String, tag: String, column: Int) throws {
        let e = try #require(Self.error(yaml))
        #expect(e.code == .unknownTag)
        #expect(e.message.contains("'\(tag)'"))
        #expect(e.column == column)
        #expect(e.line == yaml.split(separator: "\n").count)
    }

    @Test func standardTagsAreRead() throws {
        let root = try YAMLParser.parse("a: !!str null\nb: !!int 5\nc: !!seq [x]\nd: !!map {k: v}\ne: ! 7\n", file: "p.yaml")
        guard case .mapping(let pairs) = root.content else {
            Issue.record("not a mapping")
            return
        }
        #expect(pairs[0].value.content == .scalar("null", plain: false))
        #expect(!pairs[0].value.isNull)
        #expect(pairs[1].value.content == .scalar("5", plain: true))
        #expect(pairs[4].value.content == .scalar("7", plain: false))
    }

    @Test func aSecondDocumentIsRefused() throws {
        let e = try #require(Self.error("a: 1\n---\nb: 2\n"))
        #expect(e.code == .syntax)
        #expect(e.line == 2)
        #expect(try YAMLParser.parse("---\na: 1\n...\n", file: "p.yaml").content != .mapping([]))
        #expect(try YAMLParser.parse("", file: "p.yaml").content == .mapping([]))
        #expect(try YAMLParser.parse("# only a comment\n", file: "p.yaml").content == .mapping([]))
    }

    @Test func aDuplicateKeyAmongManyIsFoundAtItsLine() throws {
        let keys = (0..<50_000).map { "k\($0): 1" } + ["k0: 2"]
        let root = try YAMLParser.parse(keys.joined(separator: "\n"), file: "p.yaml")
        #expect(throws: ConfigurationError.self) { try root.anyMapping() }
        do {
            _ = try root.anyMapping()
        } catch let e as ConfigurationError {
            #expect(e.code == .duplicate && e.line == 50_001 && e.column == 1)
        }
        let mapping = try YAMLParser.parse(keys.dropLast().joined(separator: "\n"), file: "p.yaml").anyMapping()
        #expect(mapping["k49999"]?.content == .scalar("1", plain: true))
        #expect(mapping["k50000"] == nil)
    }

    @Test func longAndControlValuesAreCutAndEscapedInErrors() throws {
        let key = String(repeating: "k", count: 10_000)
        let root = try YAMLParser.parse("? \(key)\n: {n: \"\\e[2J\\nnot a number\"}\n", file: "p.yaml")
        guard case .mapping(let pairs) = root.content, case .mapping(let inner) = pairs[0].value.content else {
            Issue.record("not a mapping")
            return
        }
        let e = try #require(throws: ConfigurationError.self) { try inner[0].value.double() }
        #expect(e.path.utf8.count < 100)
        #expect(e.path.hasSuffix("….n"))
        #expect(e.message.contains("\\u{1b}[2J\\nnot a number"))
        #expect(!e.message.contains("\u{1B}"))
        let unknown = try #require(throws: ConfigurationError.self) { try root.mapping(allowing: ["name"]) }
        #expect(unknown.message.utf8.count < 100)
        // At most 64 bytes, the ellipsis included (the same rule as the data's errors).
        #expect(ShownText.cut(String(repeating: "é", count: 100)) == String(repeating: "é", count: 30) + "…")
    }

    @Test func aFileIsReadNoFurtherThanTheLimit() throws {
        // /dev/zero never ends: the reader stops one byte past the limit.
        let e = try #require(throws: ConfigurationError.self) { try ConfigurationFile.read("/dev/zero") }
        #expect(e.code == .tooLarge)
        let missing = try #require(throws: ConfigurationError.self) { try ConfigurationFile.read("/nonexistent/cohortd.yaml") }
        #expect(missing.code == .unreadable)
        let path = NSTemporaryDirectory() + "cohortd-read-\(UUID().uuidString).yaml"
        try Data([0x61, 0x3A, 0x20, 0xFF]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect((try? ConfigurationFile.read(path)) == nil)
    }
}

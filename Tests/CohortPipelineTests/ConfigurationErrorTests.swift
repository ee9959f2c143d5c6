import CohortConfiguration
import CohortPipeline
import Testing

/// Every configuration error names file:line:column and the key path, before any data is read.
@Suite struct ConfigurationErrorTests {
    static let base = """
        name: test
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
          group: category
          age: number
        survival: {time: time, event: dead}
        analyses:
          - id: km
            plugin: kaplan_meier
            times: [12]
        """

    static func error(_ yaml: String) -> ConfigurationError? {
        configurationError { _ = try LoadedPipeline(text: yaml, file: "p.yaml", directory: "/tmp", registry: testRegistry) }
    }

    @Test func theBaseIsValid() throws {
        let loaded = try LoadedPipeline(text: Self.base, file: "p.yaml", directory: "/tmp", registry: testRegistry)
        #expect(loaded.analyses.map(\.plugin) == ["kaplan_meier"])
        #expect(loaded.sha256.count == 64)
    }

    @Test func unknownKeySuggestsTheNearestOne() throws {
        let e = try #require(Self.error(Self.base + "\n    conf_typ: log"))
        #expect(e.code == .unknownKey)
        #expect(e.message.contains("did you mean 'conf_type'"))
        #expect(e.line == 13 && e.column == 5)
        #expect(e.path == "analyses[0]")
        #expect(e.description.hasPrefix("p.yaml:13:5: analyses[0]: unknown key 'conf_typ'"))
    }

    @Test func badValueIsLocatedByKeyPath() throws {
        let yaml =
            Self.base + """

                  - id: lr
                    plugin: logrank
                    groups:
                      - group
                      - {variable: age, cutoff: {from: nowhere}}
                """
        let e = try #require(Self.error(yaml))
        #expect(e.path == "analyses[1].groups[1].cutoff.from")
        #expect(e.line == 17)
        #expect(e.message.contains("not an analysis listed before"))
    }

    @Test func undeclaredVariablesAreRejected() throws {
        let e = try #require(Self.error(Self.base + "\n    by: gruop"))
        #expect(e.code == .undeclaredVariable)
        #expect(e.message.contains("did you mean 'group'"))
        let derived = try #require(
            Self.error(Self.base.replacingOccurrences(of: "survival:", with: "derive:\n  x: {months_between: [start, stop]}\nsurvival:")))
        #expect(derived.code == .undeclaredVariable)
        #expect(derived.path == "derive.x.months_between[0]")
    }

    @Test func numericGroupingNeedsACutoff() throws {
        let e = try #require(Self.error(Self.base + "\n  - {id: lr, plugin: logrank, groups: [{variable: age}]}"))
        #expect(e.code == .missingKey)
        #expect(e.message.contains("cutoff"))
    }

    @Test func scalarsAreReadByTheTypeTheSchemaExpects() throws {
        // `yes` stays the string "yes" where a string is expected (a cohort value, a token).
        let yaml = Self.base.replacingOccurrences(of: "survival:", with: "cohort:\n  - keep: {group: yes}\n    reason: yes\nsurvival:")
        let loaded = try LoadedPipeline(text: yaml, file: "p.yaml", directory: "/tmp", registry: testRegistry)
        #expect(loaded.pipeline.cohort.first?.conditions.first?.value == "yes")
        #expect(loaded.pipeline.cohort.first?.reason == "yes")
    }

    @Test func otherErrors() throws {
        #expect(Self.error("name: Test\nmatch: [x]\ncolumns: {a: number}\nanalyses: []")?.code == .invalidValue)
        #expect(Self.error("name: t\ncolumns: {a: number}\nanalyses: []")?.code == .missingKey)
        #expect(Self.error("name: t\nmatch: [x]\ncolumns: {a: nmber}\nanalyses: []")?.message.contains("did you mean 'number'") == true)
        #expect(Self.error(Self.base + "\n  - {id: km, plugin: kaplan_meier}")?.code == .duplicate)
        #expect(Self.error(Self.base + "\n  - {id: x, plugin: kaplan_meir}")?.message.contains("did you mean 'kaplan_meier'") == true)
        #expect(Self.error(Self.base + "\n    conf_level: 2")?.path == "analyses[0].conf_level")
        let syntax = try #require(Self.error("name: t\nmatch: [x\ncolumns: {}"))
        #expect(syntax.code == .syntax && syntax.line > 0 && syntax.column > 0)
        #expect(
            Self.error(Self.base.replacingOccurrences(of: "survival: {time: time, event: dead}\n", with: ""))?.message.contains("survival") == true)
    }
}

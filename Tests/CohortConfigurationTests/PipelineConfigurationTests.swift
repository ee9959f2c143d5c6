import CohortConfiguration
import Testing

/// Pipeline files decoded without any plugin: every error located `file:line:column: key.path`.
@Suite struct PipelineConfigurationTests {
    static let base = """
        name: test
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
          start: date
        survival: {time: time, event: dead}
        analyses:
          - {id: km, plugin: anything, whatever: 1}
        """

    static func error(_ yaml: String) -> ConfigurationError? {
        configurationError { _ = try Pipeline(yaml: yaml, file: "p.yaml") }
    }

    @Test func analysesAreLeftToTheirPlugins() throws {
        let pipeline = try Pipeline(yaml: Self.base, file: "p.yaml")
        #expect(pipeline.analyses.map(\.plugin) == ["anything"])
        #expect(pipeline.survival?.unit == "months")
    }

    @Test func unknownTopLevelKeysAreLocated() throws {
        let e = try #require(Self.error(Self.base + "\nlabes: {time: Time}"))
        #expect(e.code == .unknownKey)
        #expect(e.description.hasPrefix("p.yaml:10:1: "))
        #expect(e.message.contains("did you mean 'labels'"))
    }

    @Test func derivedVariablesMustUseKnownOnes() throws {
        let e = try #require(
            Self.error(Self.base.replacingOccurrences(of: "survival:", with: "derive:\n  x: {months_between: [strat, time]}\nsurvival:")))
        #expect(e.code == .undeclaredVariable)
        #expect(e.path == "derive.x.months_between[0]")
        #expect(e.message.contains("did you mean 'start'"))
    }

    @Test func scalarsAreReadByTheTypeTheSchemaExpects() throws {
        // `yes` stays the string "yes" where a string is expected (a cohort value, a reason).
        let yaml = Self.base.replacingOccurrences(of: "survival:", with: "cohort:\n  - keep: {dead: yes}\n    reason: yes\nsurvival:")
        let pipeline = try Pipeline(yaml: yaml, file: "p.yaml")
        #expect(pipeline.cohort.first?.conditions.first?.value == "yes")
        #expect(pipeline.cohort.first?.reason == "yes")
    }

    @Test func otherErrors() throws {
        #expect(Self.error("name: Test\nmatch: [x]\ncolumns: {a: number}\nanalyses: []")?.code == .invalidValue)
        #expect(Self.error("name: t\ncolumns: {a: number}\nanalyses: []")?.code == .missingKey)
        #expect(Self.error("name: t\nmatch: [x]\ncolumns: {a: nmber}\nanalyses: []")?.message.contains("did you mean 'number'") == true)
        #expect(Self.error(Self.base + "\n  - {id: km, plugin: other}")?.code == .duplicate)
        #expect(
            Self.error(Self.base.replacingOccurrences(of: "start: date", with: "start: {type: number, format: dd.MM.yyyy}"))?.code == .invalidValue)
        let syntax = try #require(Self.error("name: t\nmatch: [x\ncolumns: {}"))
        #expect(syntax.code == .syntax && syntax.line > 0 && syntax.column > 0)
    }
}

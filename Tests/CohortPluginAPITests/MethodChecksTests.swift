import CohortData
import CohortJSON
import CohortPluginAPI
import CohortReport
import CohortStatistics
import Testing

/// A plugin that raises one check and records whether its context had checks on: the plugin API's
/// `checks:` key tested without any real analysis.
enum CheckingPlugin: AnalysisPlugin {
    static let name = "checking"
    enum Key: String, ParameterKey { case level }
    struct Parameters: Sendable {
        var checksOn: Bool
    }
    struct Output: Encodable, Sendable, WarningReporting {
        var checks_on: Bool
        var warnings: [MethodWarning]
    }
    static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        _ = m[.level]
        return Parameters(checksOn: context.checks)
    }
    static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        Output(checks_on: p.checksOn, warnings: [MethodWarning(.notEstimable, "something is null", details: [("what", .string("x"))])])
    }
    static func report(_ output: Output, parameters: Parameters, context: ReportContext) -> [ReportBlock] { [] }
}

@Suite struct MethodChecksTests {
    static let context = AnalysisContext(id: "a", kinds: [:], survival: nil, profile: nil, labels: [:], earlier: [])

    static func outcome(_ entry: FakeValue) throws -> AnalysisOutcome {
        let table = try Array("t\n1\n".utf8).withUnsafeBytes {
            try CSVReader(columns: [ColumnSpec(name: "t", kind: .number)], options: InputOptions()).read($0)
        }
        let input = AnalysisInput(table: table, survival: nil, earlierOutputs: [:], pipelineDirectory: "/tmp")
        return try CheckingPlugin.configure(entry, context: context).run(input, report: ReportContext(minCell: 0, timeUnit: "months"))
    }

    @Test func checksAreOnByDefaultAndReachTheResultAndTheReport() throws {
        for entry in [map([("id", scalar("a"))]), map([("checks", scalar("true"))]), map([("checks", scalar("~"))])] {
            let outcome = try Self.outcome(entry)
            #expect(outcome.result["checks_on"] == .bool(true))
            #expect(outcome.warnings.map(\.code) == [.notEstimable])
            if case .array(let warnings)? = outcome.result["warnings"] { #expect(warnings.count == 1) } else { Issue.record("no warnings key") }
            #expect(outcome.report.contains { if case .checks = $0 { true } else { false } })
        }
    }

    @Test func checksFalseEmptiesTheWarningsAndTellsThePlugin() throws {
        let outcome = try Self.outcome(map([("id", scalar("a")), ("checks", scalar("false"))]))
        #expect(outcome.result["checks_on"] == .bool(false))
        #expect(outcome.result["warnings"] == .array([]))
        #expect(outcome.warnings.isEmpty)
        #expect(!outcome.report.contains { if case .checks = $0 { true } else { false } })
    }

    @Test func aNonBooleanChecksIsALocatedError() {
        for value in [scalar("maybe"), FakeValue(.list([scalar("false")]))] {
            #expect(throws: FakeValue.Located.self) { try Self.outcome(map([("checks", value)])) }
            do {
                _ = try MethodChecks.enabled(in: map([("checks", value)]))
                Issue.record("accepted \(value.content)")
            } catch let error as FakeValue.Located {
                #expect(error.path == "a.checks" && error.problem == .invalidValue && error.message.contains("true or false"))
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func silencingLeavesOtherKeysAndResultsWithoutWarnings() {
        let result = JSONValue.object([("a", .number(1)), ("warnings", .array([.string("w")]))])
        #expect(MethodChecks.silenced(result) == .object([("a", .number(1)), ("warnings", .array([]))]))
        #expect(MethodChecks.silenced(.object([("a", .null)])) == .object([("a", .null)]))
    }
}

import CohortData
import CohortJSON
import CohortPluginAPI
import Testing

/// The `immortal_time` check: the derivation walk (which dates a grouping is derived from, the
/// survival time's origin and unit) and the count of patients on a table.
@Suite struct ImmortalTimeCheckTests {
    static let kinds: [String: ColumnKind] = [
        "pm": .date, "chemo": .date, "radio": .date, "birth": .date, "death": .date, "fu": .date, "arm": .category, "t": .number,
        "os": .number, "age": .number, "old": .boolean, "days_to_chemo": .number, "early_chemo": .boolean,
        "first_treatment": .date, "treated": .boolean, "by_arm": .boolean, "died_early": .boolean,
    ]

    static let derivations = [
        Derivation(name: "os", expression: .monthsBetween(.column("pm"), .firstOf([.column("death"), .column("fu")]))),
        Derivation(name: "age", expression: .yearsBetween(.column("birth"), .column("pm"))),
        Derivation(name: "old", expression: .greaterThan(.column("age"), 65)),
        Derivation(name: "days_to_chemo", expression: .daysBetween(.column("pm"), .column("chemo"))),
        Derivation(name: "early_chemo", expression: .not(.greaterThan(.column("days_to_chemo"), 40))),
        Derivation(name: "first_treatment", expression: .firstOf([.column("chemo"), .column("radio")])),
        Derivation(name: "treated", expression: .greaterThan(.daysBetween(.column("pm"), .column("first_treatment")), 0)),
        Derivation(name: "by_arm", expression: .equals(.column("arm"), "A")),
        Derivation(name: "died_early", expression: .lessThan(.column("os"), 12)),
    ]

    static func check(_ time: String = "os", derivations: [Derivation] = derivations) throws -> ImmortalTimeCheck {
        try #require(ImmortalTimeCheck(survivalTime: time, derivations: derivations, kinds: kinds))
    }

    @Test func theOriginIsTheFirstDateOfTheSurvivalTimesDifference() throws {
        let check = try Self.check()
        #expect(check.origin == .column("pm") && check.originName == "pm" && check.unit == .months)
        let renamed = Self.derivations + [Derivation(name: "time", expression: .column("os"))]
        #expect(try Self.check("time", derivations: renamed).origin == .column("pm"))
        let inDays = [Derivation(name: "os", expression: .daysBetween(.column("fu"), .column("death")))]
        #expect(try Self.check(derivations: inDays).unit == .days && Self.check(derivations: inDays).origin == .column("fu"))
    }

    @Test func aSurvivalTimeWithoutDatesHasNoCheck() {
        #expect(ImmortalTimeCheck(survivalTime: "t", derivations: Self.derivations, kinds: Self.kinds) == nil)
        #expect(ImmortalTimeCheck(survivalTime: nil, derivations: Self.derivations, kinds: Self.kinds) == nil)
        let coalesced = [Derivation(name: "os", expression: .firstOf([.column("t")]))]
        #expect(ImmortalTimeCheck(survivalTime: "os", derivations: coalesced, kinds: Self.kinds) == nil)
        // A rename that loops back finds no origin instead of looping.
        let loop = [Derivation(name: "a", expression: .column("b")), Derivation(name: "b", expression: .column("a"))]
        #expect(ImmortalTimeCheck(survivalTime: "a", derivations: loop, kinds: [:]) == nil)
    }

    @Test func theWalkFollowsDerivedVariablesAndLeavesOutTheOrigin() throws {
        let sources = try Self.check().dateSources
        #expect(sources["old"] == ["birth"])
        #expect(sources["days_to_chemo"] == ["chemo"])
        #expect(sources["early_chemo"] == ["chemo"])
        // A derived date is a source itself; the dates it coalesces are its own.
        #expect(sources["first_treatment"] == ["chemo", "radio"])
        #expect(sources["treated"] == ["first_treatment"])
        // Through the survival time itself: its end dates.
        #expect(sources["died_early"] == ["death", "fu"])
        #expect(sources["by_arm"] == nil && sources["arm"] == nil)
    }

    // Days since 1970-01-01.
    static let origin: [Int32] = [0, 0, 100, 100, ColumnData.missingDate, 200]
    static let chemo: [Int32] = [31, -5, 100, ColumnData.missingDate, 50, 400]

    static func input(check: ImmortalTimeCheck?) -> AnalysisInput {
        let table = Table(
            rowCount: 6,
            columns: [
                Column(name: "pm", kind: .date, data: .date(origin)), Column(name: "chemo", kind: .date, data: .date(chemo)),
                Column(name: "birth", kind: .date, data: .date([-9000, -9000, -8000, -8000, -8000, -7000])),
            ])
        return AnalysisInput(
            table: table, survival: SurvivalOutcome(time: "os", event: "dead", unit: "months"), earlierOutputs: [:],
            pipelineDirectory: "/tmp", immortalTime: check)
    }

    @Test func patientsWithTheDateStrictlyAfterTheOriginAreCounted() throws {
        let input = Self.input(check: try Self.check())
        // Rows 0 (31 days after) and 5 (200 days after); row 1 before, 2 the same day, 3 and 4 missing.
        let warnings = input.immortalTimeWarnings(for: ["early_chemo", "old", "by_arm", "early_chemo"], rows: Array(0..<6), landmark: nil)
        #expect(warnings.count == 1)
        let warning = try #require(warnings.first)
        #expect(warning.code == .immortalTime)
        #expect(JSONValue.object(warning.details) == .object([("variable", .string("early_chemo")), ("n", .number(2))]))
        #expect(warning.message.contains("chemo") && warning.message.contains("(pm)") && warning.message.contains("2 patients"))
        #expect(warning.message.contains("landmark"))
        // Only the analysed rows count.
        let subset = input.immortalTimeWarnings(for: ["early_chemo"], rows: [1, 2, 5], landmark: nil)
        #expect(subset.first?.details.last?.value == .number(1) && subset.first?.message.contains("1 patient:") == true)
    }

    @Test func aLandmarkCountsOnlyTheDatesAfterIt() throws {
        let input = Self.input(check: try Self.check())
        // 31 days = 1.018 months; 200 days = 6.57 months.
        let one = input.immortalTimeWarnings(for: ["early_chemo"], rows: Array(0..<6), landmark: 1)
        #expect(one.first?.details.last?.value == .number(2))
        let two = input.immortalTimeWarnings(for: ["early_chemo"], rows: Array(0..<6), landmark: 1.1)
        #expect(two.first?.details.last?.value == .number(1))
        #expect(two.first?.message.contains("1.1 months after the time origin") == true)
        #expect(input.immortalTimeWarnings(for: ["early_chemo"], rows: Array(0..<6), landmark: 200 / 30.4375).isEmpty)
    }

    @Test func noCheckNoDatesOrNoRowsRaiseNothing() throws {
        #expect(Self.input(check: nil).immortalTimeWarnings(for: ["early_chemo"], rows: Array(0..<6), landmark: nil).isEmpty)
        let input = Self.input(check: try Self.check())
        #expect(input.immortalTimeWarnings(for: ["old", "by_arm"], rows: Array(0..<6), landmark: nil).isEmpty)
        #expect(input.immortalTimeWarnings(for: ["early_chemo"], rows: [], landmark: nil).isEmpty)
        // A source not in the table (radio) is skipped, not a trap.
        #expect(input.immortalTimeWarnings(for: ["first_treatment"], rows: Array(0..<6), landmark: nil).first?.details.last?.value == .number(2))
    }
}

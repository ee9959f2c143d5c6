import CohortData
import CohortJSON
import CohortPluginAPI
import CohortStatistics
import Testing

/// The input plugins run on: the survival outcome extracted once, groups and numbers by rows.
@Suite struct AnalysisInputTests {
    static func input(survival: SurvivalOutcome? = SurvivalOutcome(time: "t", event: "e", unit: "months")) throws -> AnalysisInput {
        let csv = "t,e,g\n5,1,a\n,0,b\n8,0,b\n3,1,\n"
        let columns = [ColumnSpec(name: "t", kind: .number), ColumnSpec(name: "e", kind: .number), ColumnSpec(name: "g", kind: .category)]
        let table = try Array(csv.utf8).withUnsafeBytes { try CSVReader(columns: columns, options: InputOptions()).read($0) }
        return AnalysisInput(table: table, survival: survival, earlierOutputs: [:], pipelineDirectory: "/tmp")
    }

    @Test func rowsWithoutTimeOrEventAreLeftOutAndCounted() throws {
        let (data, rows, excluded) = try Self.input().survival()
        #expect(Array(rows) == [0, 2, 3] && !rows.isAll)
        #expect(excluded == 1)
        #expect(data.time == [5, 8, 3])
        let (codes, levels) = try Self.input().groups("g", rows: rows)
        #expect(levels.count == 2 && codes.last == -1)
        #expect(throws: AnalysisError.self) { try Self.input().numbers("g", rows: rows) }
    }

    /// Every row complete: the rows are all of them (no index array) and the time column is
    /// shared; the first row or the last incomplete: the rest, in order.
    @Test(arguments: [
        ("t,e\n5,1\n8,0\n3,1\n", [0, 1, 2]), ("t,e\n,1\n8,0\n3,1\n", [1, 2]), ("t,e\n5,1\n8,0\n3,\n", [0, 1]),
    ])
    func completeRowsAreAllOfThemWithoutAnIndexArray(csv: String, expected: [Int]) throws {
        let columns = [ColumnSpec(name: "t", kind: .number), ColumnSpec(name: "e", kind: .number)]
        let table = try Array(csv.utf8).withUnsafeBytes { try CSVReader(columns: columns, options: InputOptions()).read($0) }
        let input = AnalysisInput(
            table: table, survival: SurvivalOutcome(time: "t", event: "e", unit: "months"), earlierOutputs: [:], pipelineDirectory: "/tmp")
        let (data, rows, excluded) = try input.survival()
        #expect(Array(rows) == expected)
        #expect(rows.isAll == (expected.count == 3))
        #expect(excluded == 3 - expected.count)
        #expect(data.time == (try input.numbers("t", rows: rows)))
    }

    @Test func withoutSurvivalTheErrorSaysSo() throws {
        #expect(throws: AnalysisError(.noSurvival, "the pipeline has no survival block")) { try Self.input(survival: nil).survival() }
        #expect(throws: AnalysisError.self) { try Self.input().cutoff(from: "roc", variable: "t") }
    }

    @Test func statisticsErrorsKeepTheirCode() {
        let error = AnalysisError(describing: StatisticsError(.emptyInput, "nothing"))
        #expect(error.code.name == "empty_input" && error.message == "nothing")
    }

    @Test func aWarningEncodesItsCodeMessageAndDetailsInOrder() throws {
        let warning = MethodWarning(.phViolated, "age: p = 0.01", details: [("term", .string("age")), ("p", .number(0.01)), ("code", .null)])
        let json = try JSONValueEncoder().encode([warning])
        #expect(
            json
                == .array([
                    .object([("code", .string("ph_violated")), ("message", .string("age: p = 0.01")), ("term", .string("age")), ("p", .number(0.01))])
                ]))
        #expect(warning.reportCheck.code == "ph_violated")
    }

    @Test func eventCodesOtherThanZeroOrOneNameTheirRowAndBooleansAreFlags() throws {
        let columns = [ColumnSpec(name: "t", kind: .number), ColumnSpec(name: "e", kind: .number)]
        let table = try CSVReader(columns: columns, options: InputOptions()).read(Array("t,e\n5,1\n6,\n7,2\n".utf8))
        let input = AnalysisInput(
            table: table, survival: SurvivalOutcome(time: "t", event: "e", unit: "days"), earlierOutputs: [:], pipelineDirectory: "/tmp")
        #expect(
            throws: AnalysisError(
                .init("invalid_event"), "survival 't'/'e': event code 2.0 of row 3 of the cohort is neither 1 (event) nor 0 (censored)")
        ) {
            try input.survival()
        }
        let flags = [ColumnSpec(name: "t", kind: .number), ColumnSpec(name: "e", kind: .boolean, trueTokens: ["dead"], falseTokens: ["alive"])]
        let booleans = try CSVReader(columns: flags, options: InputOptions()).read(Array("t,e\n5,dead\n6,\n7,alive\n".utf8))
        let (data, rows, excluded) = try AnalysisInput(
            table: booleans, survival: SurvivalOutcome(time: "t", event: "e", unit: "days"), earlierOutputs: [:], pipelineDirectory: "/tmp"
        ).survival()
        #expect(data.event == [true, false] && data.time == [5, 7] && Array(rows) == [0, 2] && excluded == 1)
    }

    @Test func aLandmarkKeepsThoseFollowedAndShiftsTheirClock() throws {
        let columns = [ColumnSpec(name: "t", kind: .number), ColumnSpec(name: "e", kind: .number)]
        let table = try CSVReader(columns: columns, options: InputOptions()).read(Array("t,e\n1,1\n3,1\n3,0\n5,1\n,1\n8,0\n".utf8))
        let input = AnalysisInput(
            table: table, survival: SurvivalOutcome(time: "t", event: "e", unit: "days"), earlierOutputs: [:], pipelineDirectory: "/tmp")
        let (data, rows, excluded, landmark) = try input.survival(landmark: 3)
        // Before 3: the first row; at 3: the event (the censoring at 3 stays, at time 0).
        #expect(landmark == Landmark(time: 3, excluded_before: 1, excluded_at: 1, n: 3))
        #expect(data.time == [0, 2, 5] && data.event == [false, true, false] && Array(rows) == [2, 3, 5] && excluded == 1)
        #expect(try input.survival(landmark: nil).landmark == nil)
        #expect(landmark?.sentence(unit: "days").contains("1 patient followed for less than 3 days and 1 with an event at 3 days") == true)
    }
}

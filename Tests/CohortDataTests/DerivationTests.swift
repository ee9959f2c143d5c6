import CohortData
import Testing

/// Derived variables and cohort steps.
@Suite struct DerivationTests {
    static func table() throws -> Table {
        let columns = [
            ColumnSpec(name: "birth", kind: .date), ColumnSpec(name: "op", kind: .date),
            ColumnSpec(name: "death", kind: .date), ColumnSpec(name: "last", kind: .date),
            ColumnSpec(name: "status", kind: .category, levels: CategoryLevels(mapping: [("0", "alive"), ("1", "dead")])),
            ColumnSpec(name: "n", kind: .integer),
        ]
        let csv = """
            birth,op,death,last,status,n
            1960-03-15,2020-03-14,,2021-03-14,0,1
            1960-03-15,2020-03-15,2020-09-15,2020-09-15,1,3
            1960-02-29,2021-02-28,,,0,
            """
        return try CSVReader(columns: columns, options: InputOptions()).read(Array(csv.utf8))
    }

    @Test func datesAndFlags() throws {
        var t = try Self.table()
        let derivations: [Derivation] = [
            Derivation(name: "age", expression: .yearsBetween(.column("birth"), .column("op"))),
            Derivation(name: "end", expression: .firstOf([.column("death"), .column("last")])),
            Derivation(name: "months", expression: .monthsBetween(.column("op"), .column("end"))),
            Derivation(name: "dead", expression: .equals(.column("status"), "dead")),
            Derivation(name: "dead_by_code", expression: .equals(.column("status"), "1")),
            Derivation(name: "alive", expression: .not(.column("dead"))),
            Derivation(name: "many", expression: .greaterThan(.column("n"), 1)),
        ]
        for d in derivations { t.set(try d.evaluate(on: t)) }
        #expect(t["age"]?.numbers?[0] == 59)  // the day before the 60th birthday
        #expect(t["age"]?.numbers?[1] == 60)
        #expect(t["months"]?.numbers?[0] == 365 / 30.4375)
        #expect(t["months"]?.numbers?[1] == 184 / 30.4375)
        #expect(t["months"]?.numbers?[2].isNaN == true)
        guard case .boolean(let dead)? = t["dead"]?.data, case .boolean(let byCode)? = t["dead_by_code"]?.data,
            case .boolean(let alive)? = t["alive"]?.data, case .boolean(let many)? = t["many"]?.data
        else {
            Issue.record("booleans")
            return
        }
        #expect(dead == [0, 1, 0] && byCode == dead && alive == [1, 0, 1])
        #expect(many == [0, 1, -1])
        #expect(throws: DataError.self) { try Derivation(name: "bad", expression: .yearsBetween(.column("n"), .column("op"))).evaluate(on: t) }
    }

    @Test func birthdayRuleForLeapDays() throws {
        var t = try Self.table()
        t.set(try Derivation(name: "age", expression: .yearsBetween(.column("birth"), .column("op"))).evaluate(on: t))
        // Born 29 Feb 1960; on 28 Feb 2021 the 61st birthday (1 March in common years) has not come.
        #expect(t["age"]?.numbers?[2] == 60)
    }

    @Test func cohortStepsCountTheFlow() throws {
        let t = try Self.table()
        let steps = [
            CohortStep(action: .keep, conditions: [("status", "alive")], reason: "Alive"),
            CohortStep(action: .drop, conditions: [("n", "1")], reason: "Single"),
        ]
        let (cohort, flow) = try CohortFilter.apply(steps, to: t)
        #expect(cohort.rowCount == 1)
        #expect(flow.map(\.step) == ["input", "Alive", "Single"])
        #expect(flow[1].kept == 2 && flow[1].excluded == 1)
        #expect(flow[2].kept == 1 && flow[2].excluded == 1)
    }
}

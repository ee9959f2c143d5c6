import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortReport
import Foundation
import Testing

/// The `immortal_time` check (analyses-v2.md, "Common: warnings") through whole pipelines: a
/// grouping derived from a date after the survival time's origin warns with the number of such
/// patients in kaplan_meier, logrank, cox and rmst; one derived from a date before it, one fixed
/// by a landmark past every such date, and a survival time with no dates do not.
@Suite struct ImmortalTimeTests {
    static func yaml(_ analyses: [String], survival: String = "{time: os_months, event: dead, unit: months}") -> String {
        """
        name: immortal
        match: ["*.csv"]
        columns:
          pm_date: {type: date, format: yyyy-MM-dd}
          chemo_date: {type: date, format: yyyy-MM-dd}
          birth_date: {type: date, format: yyyy-MM-dd}
          death_date: {type: date, format: yyyy-MM-dd}
          fu_date: {type: date, format: yyyy-MM-dd}
          dead: {type: boolean, true: ["1"], false: ["0"]}
          t: number
        derive:
          os_months: {months_between: [pm_date, {first_of: [death_date, fu_date]}]}
          age: {years_between: [birth_date, pm_date]}
          old: {greater_than: [age, 60]}
          adjuvant: {greater_than: [{days_between: [pm_date, chemo_date]}, 0]}
          days_to_chemo: {days_between: [pm_date, chemo_date]}
          early_chemo: {less_than: [days_to_chemo, 40]}
        survival: \(survival)
        analyses:
        \(analyses.map { "  - " + $0 }.joined(separator: "\n"))
        """
    }

    /// Chemotherapy after the origin for patients 1 (31 days), 3 (198 days), 6 (61 days) and 8
    /// (19 days); before it for 2, the same day for 5, never for 4 and 7. Everyone is followed
    /// for more than 7 months; patients 1, 3, 5 and 7 are older than 60 at the origin.
    static let csv = """
        pm_date,chemo_date,birth_date,death_date,fu_date,dead,t
        2010-01-01,2010-02-01,1940-05-01,2012-01-01,,1,24
        2010-01-01,2009-12-01,1955-01-01,2013-01-01,,1,36
        2011-03-01,2011-09-15,1945-03-02,2014-05-01,,1,38
        2011-03-01,,1960-07-01,2011-10-01,,1,7
        2012-06-01,2012-06-01,1948-01-01,,2015-01-01,0,31
        2012-06-01,2012-08-01,1970-01-01,2013-06-01,,1,12
        2013-01-01,,1950-01-01,,2016-01-01,0,36
        2013-01-01,2013-01-20,1962-01-01,2014-01-01,,1,12

        """

    static func warnings(_ outcome: RunOutcome, _ id: String) throws -> [JSONValue] {
        let entry = try #require(outcome.document.analysis(id))
        #expect(entry["status"]?.string == "ok", "\(id): \(entry["error"] ?? .null)")
        return (entry["result"]?["warnings"]?.array ?? []).filter { $0["code"]?.string == "immortal_time" }
    }

    @Test func aGroupingDerivedFromALaterDateWarnsInEachSurvivalAnalysis() async throws {
        let outcome = try await runPipeline(
            Self.yaml([
                "{id: km, plugin: kaplan_meier, by: adjuvant}",
                "{id: lr, plugin: logrank, groups: [early_chemo, old]}",
                "{id: cox, plugin: cox, univariable: [adjuvant, old], multivariable: [adjuvant, old]}",
                "{id: rmst, plugin: rmst, tau: 6, by: adjuvant}",
            ]), csv: Self.csv)
        for (id, variable) in [("km", "adjuvant"), ("lr", "early_chemo"), ("cox", "adjuvant"), ("rmst", "adjuvant")] {
            let found = try Self.warnings(outcome, id)
            #expect(found.count == 1, "\(id)")
            #expect(found.first?["variable"]?.string == variable, "\(id)")
            #expect(found.first?["n"]?.number == 4, "\(id)")
            let message = found.first?["message"]?.string ?? ""
            #expect(message.contains("chemo_date") && message.contains("(pm_date)") && message.contains("4 patients"), "\(id)")
            #expect(message.contains("landmark"), "\(id)")
            #expect(!message.contains("2010") && !message.contains("2013"), "\(id): a message carries no date")
        }
        // And in the report's checks.
        let checks = outcome.report.flatMap(\.blocks).compactMap { block -> [ReportCheck]? in
            if case .checks(let list) = block { return list }
            return nil
        }.flatMap { $0 }
        #expect(checks.filter { $0.code == "immortal_time" }.count == 4)
    }

    @Test func aGroupingFromADateBeforeTheOriginDoesNotWarn() async throws {
        let outcome = try await runPipeline(
            Self.yaml([
                "{id: km, plugin: kaplan_meier, by: old}", "{id: cox, plugin: cox, univariable: [old]}",
                "{id: rmst, plugin: rmst, tau: 6, by: old}",
            ]), csv: Self.csv)
        for id in ["km", "cox", "rmst"] { #expect(try Self.warnings(outcome, id).isEmpty, "\(id)") }
    }

    @Test func aLandmarkPastTheDatesRemovesTheWarningAndOneBeforeSomeCountsTheRest() async throws {
        let outcome = try await runPipeline(
            Self.yaml([
                "{id: past, plugin: kaplan_meier, by: adjuvant, landmark: 7}",
                "{id: early, plugin: kaplan_meier, by: adjuvant, landmark: 1}",
                "{id: rmst, plugin: rmst, tau: 6, by: adjuvant, landmark: 7}",
            ]), csv: Self.csv)
        #expect(try Self.warnings(outcome, "past").isEmpty)
        #expect(try Self.warnings(outcome, "rmst").isEmpty)
        // 31 days (1.02 months), 198 days and 61 days lie past a 1-month landmark; 19 days do not.
        let early = try Self.warnings(outcome, "early")
        #expect(early.first?["n"]?.number == 3)
        #expect(early.first?["message"]?.string?.contains("1 months after the time origin") == true)
    }

    @Test func aSurvivalTimeNotDerivedFromDatesHasNoCheck() async throws {
        let outcome = try await runPipeline(
            Self.yaml(["{id: km, plugin: kaplan_meier, by: adjuvant}"], survival: "{time: t, event: dead, unit: months}"), csv: Self.csv)
        #expect(try Self.warnings(outcome, "km").isEmpty)
    }
}

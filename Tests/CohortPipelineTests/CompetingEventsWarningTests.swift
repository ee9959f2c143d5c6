import CohortJSON
import CohortPipeline
import Foundation
import Testing

/// The `competing_events` check (analyses-v2.md, "Common: warnings") on `kaplan_meier`: raised,
/// with the occurring event types as `levels`, when the pipeline's `competing:` status has two or
/// more event types among the patients; not with one occurring type (even if more are declared),
/// nor without a `competing:` block.
@Suite struct CompetingEventsWarningTests {
    static func yaml(competing: Bool) -> String {
        """
        name: competing-check
        match: ["*.csv"]
        columns:
          time: number
          event: {type: boolean, true: ["1"], false: ["0"]}
          status: {type: category, levels: [censored, relapse, death, other]}
        survival: {time: time, event: event, unit: months}
        \(competing ? "competing: {time: time, status: status, censored: [censored]}" : "")
        analyses:
          - {id: km, plugin: kaplan_meier, times: [3]}
        """
    }

    static func warnings(_ csv: String, competing: Bool) async throws -> [JSONValue] {
        let outcome = try await runPipeline(yaml(competing: competing), csv: csv)
        let entry = try #require(outcome.document.analysis("km"))
        #expect(entry["status"]?.string == "ok", "\(entry["error"] ?? .null)")
        return (entry["result"]?["warnings"]?.array ?? []).filter { $0["code"]?.string == "competing_events" }
    }

    static let twoTypes = "time,event,status\n1,1,relapse\n2,1,death\n3,0,censored\n4,1,relapse\n5,0,censored\n"
    /// death and other are declared but do not occur.
    static let oneType = "time,event,status\n1,1,relapse\n2,1,relapse\n3,0,censored\n4,1,relapse\n5,0,censored\n"

    @Test func twoOccurringEventTypesWarnWithTheirLevels() async throws {
        let found = try await Self.warnings(Self.twoTypes, competing: true)
        #expect(found.count == 1)
        #expect(found.first?["levels"]?.array.compactMap(\.string) == ["relapse", "death"])
        #expect(found.first?["message"]?.string?.isEmpty == false)
    }

    @Test func oneOccurringEventTypeDoesNotWarn() async throws {
        #expect(try await Self.warnings(Self.oneType, competing: true).isEmpty)
    }

    @Test func withoutACompetingBlockThereIsNoWarning() async throws {
        #expect(try await Self.warnings(Self.twoTypes, competing: false).isEmpty)
    }
}

import CohortJSON
import CohortPipeline
import Foundation
import Testing

/// A landmark past every follow-up time leaves no patient: kaplan_meier fails with a reason that
/// says so, rmst gives nulls with that reason; nothing traps and no NaN is written.
@Suite struct LandmarkPastEveryTimeTests {
    static let yaml = """
        name: lm
        match: ["*.csv"]
        columns:
          time: number
          event: {type: boolean, true: ["1"], false: ["0"]}
          sex: {type: category, levels: [male, female]}
        survival: {time: time, event: event, unit: days}
        analyses:
          - {id: km, plugin: kaplan_meier, by: sex, landmark: 500}
          - {id: rm, plugin: rmst, tau: 10, by: sex, landmark: 500}
          - {id: early, plugin: kaplan_meier, landmark: 5}
        """
    static let csv = "time,event,sex\n3,1,male\n8,0,female\n12,1,male\n20,1,female\n"

    @Test func theAnalysesSayNoPatientIsFollowedAtTheLandmark() async throws {
        let outcome = try await runPipeline(Self.yaml, csv: Self.csv)
        let km = try #require(outcome.document.analysis("km"))
        #expect(km["status"]?.string == "error")
        #expect(km["error"]?.string?.contains("no patient is still followed at the landmark") == true)
        let rm = try #require(outcome.document.analysis("rm")?["result"])
        for group in rm["groups"]?.array ?? [] {
            #expect(group["rmst"] == .null)
            #expect(group["reason"]?.string?.contains("landmark") == true)
        }
        // A landmark before some times still runs, on the patients followed then.
        let early = try #require(outcome.document.analysis("early")?["result"])
        #expect(early["landmark"]?["n"]?.number == 3)
        #expect(early["landmark"]?["excluded_before"]?.number == 1)
        #expect(!String(decoding: Array(outcome.document.serialized(indent: 0).utf8), as: UTF8.self).contains("NaN"))
    }
}

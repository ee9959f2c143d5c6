import CohortConfiguration
import CohortJSON
import CohortPipeline
import Testing

/// The log-rank review fixes through the pipeline: strata from columns with many levels each
/// (no overflow of a combined code), the cap on pairwise comparisons, and trend requiring
/// declared levels.
@Suite struct LogRankReviewPipelineTests {
    static let header = """
        name: review
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
          group: {type: category, levels: [A, B, C]}
          gx: {type: category, levels: [A, X, B, C]}
          s1: category
          s2: category
          s3: category
          s4: category
          pair: category
          many: category
          ward: category
        survival: {time: time, event: dead}
        analyses:
        """

    /// `n` patients; s1…s4 and `pair` are each patient's pair number (n/2 levels each, so the
    /// product of the four columns' level counts is far beyond Int); `many` has 51 levels.
    static func csv(_ n: Int) -> String {
        var lines = ["time,dead,group,gx,s1,s2,s3,s4,pair,many,ward"]
        lines.reserveCapacity(n + 1)
        for k in 0..<n {
            let p = "p\(k / 2)"
            let g = ["A", "B", "C"][k % 3]
            lines.append("\(1 + (k * 7) % 37),\(k % 4 != 1 ? "yes" : "no"),\(g),\(g),\(p),\(p),\(p),\(p),\(p),m\(k % 51),w\(k % 4)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func fourStratumColumnsWithSixtyThousandLevelsEachFormTheirStrata() async throws {
        let yaml =
            Self.header + """

                  - {id: four, plugin: logrank, groups: [group], strata: [s1, s2, s3, s4], pairwise: holm}
                  - {id: one, plugin: logrank, groups: [group], strata: [pair], pairwise: holm}
                """
        let outcome = try await runPipeline(yaml, csv: Self.csv(120_000))
        let four = try #require(outcome.document.analysis("four")?["result"]?["tests"]?.array.first)
        let one = try #require(outcome.document.analysis("one")?["result"]?["tests"]?.array.first)
        #expect(four["strata_count"]?.number == 60_000)
        // The four identical columns form the same strata, in the same order, as one of them.
        #expect(four["chisq"] == one["chisq"] && four["p"] == one["p"])
        #expect(four["chisq"]?.number != nil)
        #expect(four["pairwise"] == one["pairwise"])
        #expect(four["pairwise"]?["pairs"]?.array.count == 3)
    }

    @Test func moreThanFiftyLevelsGetNoPairwiseTableButAReasonAndAWarning() async throws {
        let outcome = try await runPipeline(
            Self.header + "\n  - {id: lr, plugin: logrank, groups: [many], pairwise: BH}", csv: Self.csv(600))
        let result = try #require(outcome.document.analysis("lr")?["result"])
        let test = try #require(result["tests"]?.array.first)
        #expect(test["p"]?.number != nil)
        #expect(test["pairwise"] == .null)
        #expect(test["pairwise_reason"]?.string?.contains("51 groups") == true)
        let warned = (result["warnings"]?.array ?? []).filter { $0["code"]?.string == "not_estimable" }
        #expect(warned.contains { $0["what"]?.string == "pairwise log-rank tests many" })
        #expect(!outcome.report.contains { $0.blocks.contains { if case .table(let t) = $0 { t.name == "logrank_pairwise_many" } else { false } } })
    }

    @Test func aDeclaredLevelNoPatientHasIsNotAGroupOfTheTestOrTheTrend() async throws {
        // gx declares A, X, B, C; nobody is X: the test is the one on A, B, C (survdiff drops X).
        let outcome = try await runPipeline(
            Self.header + "\n  - {id: lr, plugin: logrank, groups: [group, gx], pairwise: holm, trend: true}", csv: Self.csv(300))
        let tests = outcome.document.analysis("lr")?["result"]?["tests"]?.array ?? []
        let group = try #require(tests.first { $0["variable"]?.string == "group" })
        let gx = try #require(tests.first { $0["variable"]?.string == "gx" })
        #expect(gx["groups"]?.array.compactMap { $0["level"]?.string } == ["A", "B", "C"])
        #expect(gx["chisq"] == group["chisq"] && gx["df"] == group["df"] && gx["df"]?.number == 2)
        #expect(gx["trend"]?["scores"]?.array.compactMap(\.number) == [1, 2, 3])
        #expect(gx["trend"]?["chisq"]?.number != nil && gx["trend"]?["chisq"] == group["trend"]?["chisq"])
        #expect(gx["pairwise"] == group["pairwise"])
    }

    @Test func trendNeedsDeclaredLevels() throws {
        let e = try #require(
            configurationError {
                _ = try LoadedPipeline(
                    text: Self.header + "\n  - {id: lr, plugin: logrank, groups: [group, ward], trend: true}", file: "p.yaml",
                    directory: "/tmp", registry: testRegistry)
            })
        #expect(e.code == .invalidValue && e.path == "analyses[0].groups[1]")
        #expect(e.message.contains("no declared levels"))
        let mapping = try #require(
            configurationError {
                _ = try LoadedPipeline(
                    text: Self.header + "\n  - {id: lr, plugin: logrank, groups: [{variable: ward, label: Ward}], trend: true}",
                    file: "p.yaml", directory: "/tmp", registry: testRegistry)
            })
        #expect(mapping.path == "analyses[0].groups[0].variable")
        // Without trend, levels from the data are fine.
        #expect(
            configurationError {
                _ = try LoadedPipeline(
                    text: Self.header + "\n  - {id: lr, plugin: logrank, groups: [ward]}", file: "p.yaml", directory: "/tmp",
                    registry: testRegistry)
            } == nil)
    }
}

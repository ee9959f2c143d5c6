import CohortConfiguration
import CohortData
import CohortPipeline
import Foundation
import Testing

/// Every file a run writes is known when the pipeline is validated, and no two can collide
/// (issue 9, item 8).
@Suite struct RunFileNameTests {
    static func pipeline(ids: [String]) -> String {
        """
        name: test
        match: ["*.csv"]
        columns: {time: number, dead: boolean, group: category}
        survival: {time: time, event: dead}
        cohort:
          - drop: {group: c}
        analyses:

        """ + ids.map { "  - {id: \($0), plugin: kaplan_meier, by: group}\n" }.joined()
    }

    static func error(_ yaml: String) -> ConfigurationError? {
        configurationError { _ = try LoadedPipeline(text: yaml, file: "p.yaml", directory: "/tmp", registry: testRegistry) }
    }

    @Test(arguments: ["flow", "report", "results", "methods", "Flow", "REPORT"])
    func reservedNamesAreRefusedAsIds(id: String) throws {
        let e = try #require(Self.error(Self.pipeline(ids: ["km", id])))
        #expect(e.code == .fileNameCollision)
        #expect(e.line == 9 && e.column == 10)
        #expect(e.path == "analyses[1].id")
        #expect(e.message.contains("'\(id)' is reserved"))
    }

    @Test func idsWhoseFilesDifferOnlyInCaseCollideNamingBoth() throws {
        let e = try #require(Self.error(Self.pipeline(ids: ["km", "table1", "KM"])))
        #expect(e.code == .fileNameCollision)
        #expect(e.line == 10)
        #expect(e.message.contains("analysis id 'KM' would write KM.csv"))
        #expect(e.message.contains("analysis 'km' (line 8)"))
    }

    @Test func idsThatShareAPrefixDoNotCollide() throws {
        #expect(Self.error(Self.pipeline(ids: ["km", "km_group", "km-group", "flow_chart", "results2"])) == nil)
    }

    @Test func theNamesPredictedAreTheNamesARunWrites() async throws {
        let yaml = Self.pipeline(ids: ["km", "km_group"]) + "  - {id: desc, plugin: descriptives, variables: [time, group]}\n"
        let loaded = try LoadedPipeline(text: yaml, file: "p.yaml", directory: "/tmp", registry: testRegistry)
        let csv = "time,dead,group\n1,true,a\n2,false,b\n3,true,a\n4,true,b\n5,false,c\n6,true,a\n"
        let outcome = try await runPipeline(yaml, csv: csv)
        #expect(outcome.failure == nil)
        let written = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: RunInfo(id: "test", fileName: "test.csv")).map(\.name)
        let predicted = Set(LoadedPipeline.fileNames(of: loaded.pipeline).map(\.name))
        #expect(written.contains("flow.csv") && written.contains("km.svg") && written.contains("desc.csv"))
        #expect(Set(written).isSubset(of: predicted), "\(Set(written).subtracting(predicted))")
        #expect(written.contains("km.pdf") && written.contains("km.png"))
        #expect(LoadedPipeline.fileNames(ofAnalysis: "km") == ["km.csv", "km.svg", "km.pdf", "km.png"])
    }

    @Test func manyAnalysesAreValidatedEachAgainstTheEarlierOnes() throws {
        let ids = (0..<3_000).map { "a\($0)" }
        var yaml = Self.pipeline(ids: ids)
        yaml += "  - {id: roc, plugin: roc_cutoff, outcome: {event_within: 3}, predictors: [time]}\n"
        yaml += "  - {id: lr, plugin: logrank, groups: [{variable: time, cutoff: {from: roc}}]}\n"
        let loaded = try LoadedPipeline(text: yaml, file: "p.yaml", directory: "/tmp", registry: testRegistry)
        #expect(loaded.analyses.count == 3_002)
        #expect(loaded.analyses.last?.dependencies == ["roc"])
        let late = try #require(Self.error(yaml + "  - {id: a1, plugin: kaplan_meier}\n"))
        #expect(late.code == .duplicate && late.line == 3_010)
    }

    @Test(arguments: [
        ("optoins", ["options", "other", "opt"]), ("kaplan_meir", ["kaplan_meier", "cox", "logrank"]), ("x", ["a", "bb", "xyz"]),
        ("abc", ["abd", "abe"]), ("verylongname", ["verylongnam", "short"]), ("", ["a"]), ("zzz", []),
    ])
    func nearMissAgreesWithSuggestion(word: String, options: [String]) {
        #expect(NearMiss.closest(to: word, among: options) == Suggestion.closest(to: word, among: options))
    }

    @Test func nearMissAgreesWithSuggestionOnManyCandidates() {
        var generator = SplitMix64(seed: 9)
        let alphabet = Array("abcde")
        func word() -> String { String((0..<Int.random(in: 1...9, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "a" }) }
        for _ in 0..<200 {
            let options = (0..<20).map { _ in word() }
            let w = word()
            #expect(NearMiss.closest(to: w, among: options) == Suggestion.closest(to: w, among: options), "\(w) \(options)")
        }
        #expect(NearMiss.closest(to: String(repeating: "a", count: 65), among: [String(repeating: "a", count: 64)]) == nil)
    }
}

/// A seeded generator, so that a failure names inputs that reproduce it.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

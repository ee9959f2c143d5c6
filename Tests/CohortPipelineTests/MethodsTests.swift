import CohortPipeline
import CohortReport
import Foundation
import Testing

/// The "Statistical analysis" paragraph (methods.md and every report) is written from what ran:
/// each analysis's estimators and tests, the software and the R it agrees with, the checks — and
/// its references are numbered in order of first citation, each number with its work.
@Suite struct MethodsTests {
    static func runFolder(_ yaml: String, csv: String) async throws -> [String: String] {
        let loaded = try LoadedPipeline(text: yaml, file: "test.yaml", directory: NSTemporaryDirectory(), registry: testRegistry)
        let outcome = await PipelineRunner(loaded).run(Data(csv.utf8), info: RunInfo(id: "m", fileName: "m.csv"))
        let files = RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: RunInfo(id: "m", fileName: "m.csv"))
        return Dictionary(files.map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }, uniquingKeysWith: { a, _ in a })
    }

    static let lung = """
        name: methods
        match: ["*.csv"]
        input: {missing: [""]}
        columns:
          time: number
          event: {type: boolean, true: ["1"], false: ["0"]}
          sex: {type: category, levels: [male, female]}
          ecog: {type: category, levels: ["0", "1", "2-3"]}
          age: number
          ph_ecog: {type: category, levels: ["0", "1", "2", "3"]}
          ph_karno: number
          pat_karno: number
          meal_cal: number
          wt_loss: number
        survival: {time: time, event: event, unit: days}
        analyses:
        """

    static var lungCSV: String {
        get throws { try String(contentsOf: Repository.root.appendingPathComponent("examples/lung.csv"), encoding: .utf8) }
    }

    /// The numbers cited in the paragraph, in order of appearance, and the numbered references.
    static func citations(_ methods: String) -> (cited: [Int], listed: [Int]) {
        let parts = methods.components(separatedBy: "## References")
        let paragraph = parts.first ?? ""
        var cited: [Int] = []
        for match in paragraph.matches(of: /\[([0-9, ]+)\]/) {
            for n in match.1.split(separator: ",") { if let k = Int(n.trimmingCharacters(in: .whitespaces)) { cited.append(k) } }
        }
        let listed = (parts.count > 1 ? parts[1] : "").split(separator: "\n").compactMap { line in
            line.firstMatch(of: #/^([0-9]+)\.\s/#).flatMap { Int($0.1) }
        }
        return (cited, listed)
    }

    @Test func theParagraphSaysWhatRanAndCitesItsWorksInOrder() async throws {
        let yaml =
            Self.lung + """

                  - id: km
                    plugin: kaplan_meier
                    by: sex
                    conf_type: log-log
                    compare_at: [365]
                  - id: lr
                    plugin: logrank
                    groups: [ecog]
                    pairwise: holm
                  - id: hazards
                    plugin: cox
                    multivariable: [age, sex, ecog]
                    ties: efron
                  - id: rmst
                    plugin: rmst
                    tau: 365
                    by: sex
                """
        let files = try await Self.runFolder(yaml, csv: try Self.lungCSV)
        let methods = try #require(files["methods.md"], "the run folder holds methods.md")
        #expect(methods.contains("Kaplan–Meier method"))
        #expect(methods.contains("log(−log)-transformed 95% confidence intervals"))
        #expect(methods.contains("compared between groups by the difference of the Kaplan–Meier estimates"))
        #expect(methods.contains("the log-rank test"))
        #expect(methods.contains("Holm's method"))
        #expect(methods.contains("Efron's method"))
        #expect(methods.contains("Wald test"), "ecog has three levels: its factor test is described")
        #expect(methods.contains("restricted mean survival time up to 365 days"))
        #expect(methods.contains("Holm S. A simple sequentially rejective"))
        #expect(methods.contains("Royston P, Parmar MKB"))
        #expect(methods.contains("Uno H"), "two groups: the difference and ratio of restricted means")
        #expect(!methods.contains("Gray RJ"), "no competing-risks analysis ran")
        #expect(!methods.contains("Peto R, Peto J"), "rho 0")
        #expect(!methods.contains("Robin X"), "no ROC analysis: pROC is not cited")
        // Every reference is cited, first citations in order 1, 2, 3, …
        let (cited, listed) = Self.citations(methods)
        var firsts: [Int] = []
        for n in cited where !firsts.contains(n) { firsts.append(n) }
        #expect(firsts == Array(1...listed.count), "first citations in order: \(firsts), \(listed.count) references")
        #expect(listed == Array(1...listed.count))
        // The same paragraph closes report.md and report.html.
        #expect(files["report.md"]?.contains("## Statistical analysis") == true)
        #expect(files["report.html"]?.contains("Statistical analysis") == true)
    }

    @Test func aPetoTestAndNoFactorTestAreDescribedAsSuch() async throws {
        let yaml =
            Self.lung + """

                  - id: lr
                    plugin: logrank
                    groups: [sex]
                    rho: 1
                  - id: hazards
                    plugin: cox
                    univariable: [age]
                """
        let methods = try #require(try await Self.runFolder(yaml, csv: try Self.lungCSV)["methods.md"])
        #expect(methods.contains("Peto–Peto"))
        #expect(methods.contains("Peto R, Peto J"))
        #expect(!methods.contains("Mantel N"))
        #expect(!methods.contains("tested as a whole"), "no variable with three or more levels")
        #expect(!methods.contains("EZR"), "profile r")
    }
}

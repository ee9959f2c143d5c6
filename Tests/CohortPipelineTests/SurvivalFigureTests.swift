import CohortPipeline
import CohortReport
import Foundation
import Testing

/// `figure:` on kaplan_meier and logrank draws what it says: the test's p on the plot as survminer
/// prints it, median lines, x breaks, a percent axis, the numbers at risk and cumulative events, one
/// figure per log-rank grouping; `figure: false` draws none; the ROC and forest plots are drawn.
@Suite struct SurvivalFigureTests {
    static let head = """
        name: figures
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

    static func figures(_ analyses: String) async throws -> [(section: String, figure: ReportFigure)] {
        let csv = try String(contentsOf: Repository.root.appendingPathComponent("examples/lung.csv"), encoding: .utf8)
        let outcome = try await runPipeline(Self.head + analyses, csv: csv)
        #expect(outcome.status == .ok, "\(outcome.analysisErrors)")
        return outcome.report.flatMap { section in
            section.blocks.compactMap { if case .figure(let f) = $0 { (section.id, f) } else { nil } }
        }
    }

    /// The texts of an SVG's `<text>` elements.
    static func texts(_ svg: String) -> [String] {
        svg.matches(of: /<text[^>]*>([^<]*)<\/text>/).map { String($0.1) }
    }

    @Test func theOptionsReachTheKaplanMeierFigure() async throws {
        let figures = try await Self.figures(
            "  - {id: km, plugin: kaplan_meier, by: sex, figure: {median_lines: true, break_every: 200, percent: true, risk_table: [at_risk, events]}}\n"
        )
        let svg = try #require(figures.first { $0.section == "km" }?.figure.svg)
        let texts = Self.texts(svg)
        // survdiff(Surv(time, event) ~ sex, lung): p = 0.0013 → "p = 0.0013".
        #expect(texts.contains("Log-rank p = 0.0013"), "\(texts.filter { $0.contains("p") })")
        #expect(["0", "200", "400", "600", "800", "1000"].allSatisfy(texts.contains), "breaks every 200 days")
        #expect(texts.contains("40%") && texts.contains("100%") && !texts.contains("0.4"), "a percent axis")
        #expect(texts.contains("Number at risk") && texts.contains("Cumulative number of events"))
        #expect(svg.contains("stroke-dasharray=\"4 3\""), "median lines")
        // The at-risk row of men starts with all 138 of them, and the events row with 0.
        #expect(texts.contains("138") && texts.contains("90"))
    }

    @Test func figureFalseDrawsNoneAndTheDefaultsHaveNoMedianLines() async throws {
        let figures = try await Self.figures(
            """
              - {id: none, plugin: kaplan_meier, by: sex, figure: false}
              - {id: plain, plugin: kaplan_meier, by: sex}
            """)
        #expect(!figures.contains { $0.section == "none" })
        let svg = try #require(figures.first { $0.section == "plain" }?.figure.svg)
        #expect(!svg.contains("stroke-dasharray"), "no median lines by default")
        #expect(!Self.texts(svg).contains("Cumulative number of events"))
        #expect(Self.texts(svg).contains("Log-rank p = 0.0013"), "the p is on by default")
    }

    @Test func logrankDrawsOneFigurePerGroupingOnlyWhenAsked() async throws {
        let figures = try await Self.figures(
            """
              - {id: quiet, plugin: logrank, groups: [sex, ecog]}
              - {id: drawn, plugin: logrank, groups: [sex, ecog], rho: 1, figure: true}
            """)
        #expect(!figures.contains { $0.section == "quiet" })
        let drawn = figures.filter { $0.section == "drawn" }
        #expect(drawn.count == 2)
        #expect(drawn.allSatisfy { Self.texts($0.figure.svg).contains { $0.hasPrefix("Peto–Peto p ") } })
    }

    @Test func rocAndForestPlotsAreDrawn() async throws {
        let figures = try await Self.figures(
            """
              - {id: roc, plugin: roc_cutoff, outcome: {event_within: 365}, predictors: [age, ph_karno]}
              - {id: hr, plugin: cox, univariable: [age, sex], multivariable: [age, sex]}
            """)
        let roc = try #require(figures.first { $0.section == "roc" }?.figure.svg)
        #expect(roc.contains("1 − Specificity") && roc.matches(of: #/<circle\s/#).count >= 2, "a cut-off dot per predictor")
        let forest = try #require(figures.first { $0.section == "hr" }?.figure.svg)
        let texts = Self.texts(forest)
        #expect(texts.contains("Univariable") && texts.contains("Multivariable"))
        #expect(texts.contains("Hazard ratio (log scale)"))
        // One square per estimate: age and female, in two panels.
        #expect(forest.matches(of: /<rect x="[0-9.]+" y="[0-9.]+" width="8" height="8"/).count == 4)
    }
}

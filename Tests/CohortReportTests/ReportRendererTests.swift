import CohortStatistics
import Testing

@testable import CohortReport

/// The renderer's file names, escaping and CSV safety, on blocks made here.
@Suite struct ReportRendererTests {
    static let table = ReportTable(
        name: "t", title: "A <b>title</b>", header: ["Variable", "n"],
        rows: [[.text("=cmd|x"), .count(3, percent: 12.5)], [.text("a,\"b\""), .count(0, percent: nil)]],
        note: "note & more")

    @Test func aSectionsOnlyTableIsNamedAfterTheSection() {
        let renderer = ReportRenderer(
            title: "T", subtitle: "S",
            sections: [
                ("flow", [.table(Self.table)]),
                ("km", [.table(Self.table), .table(Self.table)]),
            ], minCell: 0)
        #expect(renderer.csvFiles().map(\.name) == ["flow.csv", "km_t.csv", "km_t.csv"])
    }

    @Test func csvCellsCannotRunAsFormulas() {
        let renderer = ReportRenderer(title: "T", subtitle: "S", sections: [], minCell: 5)
        let csv = renderer.csv(Self.table)
        #expect(csv == "Variable,n\r\n'=cmd|x,<5\r\n\"a,\"\"b\"\"\",0\r\n")
    }

    @Test func htmlAndMarkdownEscapeText() {
        let renderer = ReportRenderer(title: "<T>", subtitle: "S & S", sections: [("x", [.heading("H"), .table(Self.table)])], minCell: 0)
        let html = renderer.html()
        #expect(html.contains("<title>&lt;T&gt;</title>"))
        #expect(html.contains("A &lt;b&gt;title&lt;/b&gt;"))
        #expect(!html.contains("<script"))
        #expect(renderer.markdown().contains("| =cmd\\|x | 3 (12.5%) |"))
    }

    @Test func checksPrintUnderTheAnalysisAndAgainInTheChecksSection() {
        let check = ReportCheck(code: "ph_violated", message: "Age <violates> PH")
        let renderer = ReportRenderer(
            title: "T", subtitle: "S", sections: [("a", [.table(Self.table)]), ("cox", [.table(Self.table), .checks([check])])], minCell: 0)
        let markdown = renderer.markdown()
        #expect(markdown.contains("> **Check** (`ph_violated`): \(MarkdownText.escape(check.message))\n"))
        #expect(MarkdownText.escape(check.message) != check.message)
        #expect(markdown.hasSuffix("## Checks\n\n- cox (`ph_violated`): \(MarkdownText.escape(check.message))\n\n"))
        let html = renderer.html()
        #expect(html.contains("<section class=\"analysis\" id=\"checks\">\n<h2>Checks</h2>"))
        #expect(html.contains("<li>cox (<code>ph_violated</code>): Age &lt;violates&gt; PH</li>"))
        #expect(!ReportRenderer(title: "T", subtitle: "S", sections: [("a", [.table(Self.table)])], minCell: 0).markdown().contains("## Checks"))
    }

    @Test func aColumnMixingCountsAndOtherStatisticsIsNotRightAligned() {
        let mixed = ReportTable(
            name: "m", title: "M", header: ["a", "b", "c"],
            rows: [[.text("x"), .text("63.3 (9.1)"), .count(4, percent: nil)], [.text(""), .count(36, percent: 26.3), .text("")]])
        #expect(ReportRenderer.numericColumns(mixed) == [false, false, true])
        let html = ReportRenderer(title: "T", subtitle: "S", sections: [("m", [.table(mixed)])], minCell: 0).html()
        #expect(html.contains("<td>36 (26.3%)</td>") && html.contains("<td class=\"num\">4</td>"))
    }

    @Test func anEmptyReportRenders() {
        let renderer = ReportRenderer(title: "T", subtitle: "S", sections: [], minCell: 0)
        #expect(renderer.html().hasSuffix("</body></html>\n"))
        #expect(renderer.csvFiles().isEmpty && renderer.svgFiles().isEmpty)
    }

    @Test func aSurvivalFigureWithNoEventsOrOneSubjectDraws() throws {
        let censored = try KaplanMeier(
            SurvivalData(time: [1, 2, 3], event: [false, false, false]).sorted(),
            confidence: SurvivalConfidence(type: .log))
        let one = try KaplanMeier(SurvivalData(time: [0], event: [true]).sorted(), confidence: SurvivalConfidence(type: .logLog))
        let svg = SurvivalPlot(
            title: "A & B", timeUnit: "months", curves: [.init(label: "x", estimate: censored), .init(label: "<y>", estimate: one)],
            showBand: true
        ).svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("A &amp; B") && svg.contains("&lt;y&gt;"))
    }
}

import CohortReport
import Foundation
import Testing

@testable import CohortDocx

/// What the document says: tables cell for cell, merged cells, escaped text, headings, checks
/// and the methods paragraphs.
@Suite struct DocxContentTests {
    static func document(_ report: DocxReport) throws -> XMLNode {
        try xml(unzip(try report.bytes()), "word/document.xml")
    }

    static func style(_ p: XMLNode) -> String? { p.descendants("w:pStyle").first?.attributes["w:val"] }

    /// Each row of a table as (text, vMerge value or nil) per cell; a `w:vMerge` without a value is "continue".
    static func cells(_ table: XMLNode) -> [[(text: String, merge: String?)]] {
        table.children("w:tr").map { row in
            row.children("w:tc").map { tc in
                let merge = tc.children("w:tcPr").first?.children("w:vMerge").first.map { $0.attributes["w:val"] ?? "continue" }
                return (tc.wordText, merge)
            }
        }
    }

    static let logRankLike = ReportTable(
        name: "t3", title: "Table 3. Univariate analysis", header: ["Variable", "Group", "n", "p"],
        rows: [
            [.text("Age"), .text("< 56"), .count(3, percent: nil), .text("0.010")],
            [.text(""), .text("≥ 56"), .count(12, percent: nil), .text("")],
            [.text("Site"), .text("Lung"), .count(10, percent: 50), .text("0.2")],
            [.text(""), .text(""), .count(6, percent: 30), .text("")],
            [.text(""), .text("Other"), .count(4, percent: 20), .text("")],
            [.text("Sex"), .text("not tested: one level"), .text(""), .text("")],
        ], note: "Kaplan–Meier estimates.", continuingColumns: [0])

    /// Nine columns of estimates with intervals: too wide for 9 pt on A4.
    static let wide = ReportTable(
        name: "wide", title: "Wide", header: (1...9).map { "Column \($0)" }, rows: [(1...9).map { _ in .text("17.6% (13.6–21.9)") }])

    @Test func tableCellsAreTheRenderedCellsAndContinuingColumnsMerge() throws {
        let renderer = ReportRenderer(title: "T", subtitle: "S", sections: [("uni", [.table(Self.logRankLike)])], minCell: 5)
        let document = try Self.document(DocxReport(renderer: renderer))
        let table = try #require(document.descendants("w:tbl").first)
        let rows = Self.cells(table)
        #expect(rows.first?.map(\.text) == ["Variable", "Group", "n", "p"])
        for (row, expected) in zip(rows.dropFirst(), Self.logRankLike.rows) {
            #expect(row.map(\.text) == expected.map { $0.rendered(minCell: 5) })
        }
        #expect(rows[1][2].text == "<5" && rows[3][2].text == "10 (50.0%)")
        #expect(rows.dropFirst().map { $0[0].merge } == ["restart", "continue", "restart", "continue", "continue", nil])
        // Only the continuing column merges: empty cells elsewhere stay cells of their own.
        #expect(rows.allSatisfy { $0.dropFirst().allSatisfy { $0.merge == nil } })
        // The header row repeats on each page; no row splits; the title is a Heading 2 above the table.
        let header = try #require(table.children("w:tr").first)
        #expect(!header.descendants("w:tblHeader").isEmpty)
        #expect(table.children("w:tr").allSatisfy { !$0.descendants("w:cantSplit").isEmpty })
        let bodyChildren = try #require(document.children("w:body").first).children
        let index = try #require(bodyChildren.firstIndex { $0.name == "w:tbl" })
        #expect(Self.style(bodyChildren[index - 1]) == "Heading2" && bodyChildren[index - 1].wordText == "Table 3. Univariate analysis")
        #expect(Self.style(bodyChildren[index + 1]) == "TableNote" && bodyChildren[index + 1].wordText == "Kaplan–Meier estimates.")
        // The grid has a column per header cell and spans the text width.
        let grid = table.children("w:tblGrid").first?.children("w:gridCol").compactMap { $0.attributes["w:w"].flatMap { Int($0) } } ?? []
        #expect(grid.count == 4 && grid.reduce(0, +) == 11906 - 2 * 1440)
    }

    @Test func withoutContinuingColumnsNothingMerges() throws {
        var table = Self.logRankLike
        table.continuingColumns = []
        let document = try Self.document(
            DocxReport(renderer: ReportRenderer(title: "T", subtitle: "S", sections: [("x", [.table(table)])], minCell: 0)))
        #expect(document.descendants("w:vMerge").isEmpty)
        let rows = Self.cells(try #require(document.descendants("w:tbl").first))
        #expect(rows.dropFirst().map { $0[0].text } == ["Age", "", "Site", "", "", "Sex"])
    }

    @Test func aShortRowLeavesItsGridColumnsEmptyRatherThanInventingCells() throws {
        let table = ReportTable(name: "s", title: "Short", header: ["a", "b", "c"], rows: [[.text("1")], [.text("2"), .text("3"), .text("4")]])
        let document = try Self.document(
            DocxReport(renderer: ReportRenderer(title: "T", subtitle: "S", sections: [("x", [.table(table)])], minCell: 0)))
        let rows = Self.cells(try #require(document.descendants("w:tbl").first))
        #expect(rows.map { $0.map(\.text) } == [["a", "b", "c"], ["1"], ["2", "3", "4"]])
        #expect(document.descendants("w:gridAfter").first?.attributes["w:val"] == "2")
    }

    @Test func shortCellsKeepTheirLineWhileLongLabelsWrap() {
        let width = { (s: String) in ColumnWidths.twips(s) + ColumnWidths.cellMargins }
        let long = String(repeating: "word ", count: 30)
        let wide = ReportTable(
            name: "w", title: "", header: ["Variable", "AUC (95% CI)", "Cut-off"], rows: [[.text(long), .text("0.67 (0.43–0.91)"), .text("≤ 14.78")]])
        let widths = TableXML(table: wide, minCell: 0, textWidth: 9026).layout(columns: 3).widths
        #expect(widths.reduce(0, +) == 9026)
        #expect(widths[1] >= width("0.67 (0.43–0.91)") && widths[2] >= width("≤ 14.78"))
        #expect(widths[0] < width(long))
        // A narrow table spreads over the text width with every header on one line.
        let narrow = ReportTable(
            name: "n", title: "", header: ["Step", "Remaining", "Excluded"], rows: [[.text("a"), .count(1, percent: nil), .count(2, percent: nil)]])
        let spread = TableXML(table: narrow, minCell: 0, textWidth: 9026).layout(columns: 3).widths
        #expect(spread.reduce(0, +) == 9026 && spread[1] >= width("Remaining") && spread[2] >= width("Excluded"))
        // Seven columns of short cells that cannot all stay whole: they wrap at spaces, and no
        // number is cut inside.
        let cells = [
            "Weight loss in the last six months (lb)", "Median [IQR]", "1025 [768, 1175]", "925 [588, 1068]", "975 [635, 1150]", "0.022ᶜ", "0.357",
        ]
        let crowded = ReportTable(
            name: "c", title: "", header: ["Variable", "", "male (n = 138)", "female (n = 90)", "Overall", "p", "SMD"],
            rows: [cells.map { .text($0) }])
        let (tight, points) = TableXML(table: crowded, minCell: 0, textWidth: 6000).layout(columns: 7)
        #expect(tight.reduce(0, +) == 6000 && points == 8)
        for (w, text) in zip(tight, cells) { #expect(w >= ColumnWidths.longestWord(text, points: 8) + ColumnWidths.cellMargins, "\(text)") }
        // The same table with room enough keeps 9 pt and every short cell whole.
        let (roomy, regular) = TableXML(table: crowded, minCell: 0, textWidth: 12000).layout(columns: 7)
        #expect(regular == 9)
        for (w, text) in zip(roomy.dropFirst(), cells.dropFirst()) { #expect(w >= ColumnWidths.twips(text) + ColumnWidths.cellMargins, "\(text)") }
        #expect(ColumnWidths.twips("0.252") < ColumnWidths.twips("MWMWM"))
    }

    @Test func everyTextIsEscaped() throws {
        let nasty = "A & B <c> \"d\" \u{0}e"
        let table = ReportTable(name: "n", title: nasty, header: [nasty], rows: [[.text(nasty)]], note: nasty)
        let renderer = ReportRenderer(
            title: nasty, subtitle: nasty,
            sections: [(nasty, [.heading(nasty), .paragraph(nasty), .table(table), .checks([ReportCheck(code: nasty, message: nasty)])])],
            minCell: 0)
        let parts = try unzip(try DocxReport(renderer: renderer, methods: [nasty]).bytes())
        let document = try xml(parts, "word/document.xml")
        let shown = "A & B <c> \"d\" \u{FFFD}e"
        let texts = try #require(document.children("w:body").first).children("w:p").map(\.wordText)
        #expect(texts.filter { $0 == shown }.count == 7)  // title, subtitle, methods, heading, paragraph, table title, note
        #expect(Self.cells(try #require(document.descendants("w:tbl").first)).flatMap { $0.map(\.text) } == [shown, shown])
        let core = try xml(parts, "docProps/core.xml")
        #expect(core.descendants("dc:title").first?.characters == shown)
    }

    @Test func headingsChecksAndMethodsUseTheirStyles() throws {
        let checks = [ReportCheck(code: "ph_violated", message: "Proportional hazards rejected for age.")]
        let renderer = ReportRenderer(
            title: "Title", subtitle: "Sub",
            sections: [("cox", [.heading("Cox models"), .paragraph("A model."), .checks(checks)]), ("km", [.paragraph("x")])],
            minCell: 0)
        let document = try Self.document(DocxReport(renderer: renderer, methods: ["Survival by Kaplan–Meier.", "Cox models."]))
        let paragraphs = document.descendants("w:p").map { (style: Self.style($0), text: $0.wordText) }
        let expected: [(String?, String)] = [
            ("Title", "Title"), ("Subtitle", "Sub"), ("Heading1", "Statistical analysis"), (nil, "Survival by Kaplan–Meier."), (nil, "Cox models."),
            ("Heading1", "Results"), ("Heading2", "Cox models"), (nil, "A model."),
            ("Check", "Check (ph_violated): Proportional hazards rejected for age."), (nil, "x"), ("Heading1", "Checks"),
            ("CheckItem", "•\tcox (ph_violated): Proportional hazards rejected for age."),
        ]
        #expect(paragraphs.map(\.style) == expected.map(\.0))
        #expect(paragraphs.map(\.text) == expected.map(\.1))
        // Without methods there is neither a methods nor a results heading, and without checks no Checks section.
        let plain = try Self.document(
            DocxReport(renderer: ReportRenderer(title: "T", subtitle: "S", sections: [("a", [.paragraph("p")])], minCell: 0)))
        #expect(plain.descendants("w:p").map(\.wordText) == ["T", "S", "p"])
    }

    @Test func stylesDefineEveryStyleTheDocumentUses() throws {
        let renderer = ReportRenderer(
            title: "T", subtitle: "S",
            sections: [
                ("a", [.heading("h"), .table(Self.logRankLike), .figure(DocxPackageTests.figure), .checks([ReportCheck(code: "c", message: "m")])]),
                ("wide", [.table(Self.wide)]),
            ], minCell: 0)
        let parts = try unzip(try DocxReport(renderer: renderer, figures: ["a.png": tinyPNG(width: 3, height: 2)], methods: ["m"]).bytes())
        let document = try xml(parts, "word/document.xml")
        let styles = try xml(parts, "word/styles.xml")
        let defined = Set(styles.children("w:style").compactMap { $0.attributes["w:styleId"] })
        let used = Set((document.descendants("w:pStyle") + document.descendants("w:tblStyle")).compactMap { $0.attributes["w:val"] })
        #expect(used.isSubset(of: defined), "\(used.subtracting(defined))")
        #expect(
            used.isSuperset(of: [
                "Title", "Subtitle", "Heading1", "Heading2", "Caption", "Figure", "TableText", "TableTextSmall", "TableNote", "Check", "CheckItem",
            ]))
        let names = styles.children("w:style").compactMap { $0.children("w:name").first?.attributes["w:val"] }
        #expect(names.contains("heading 1") && names.contains("heading 2"))
    }
}

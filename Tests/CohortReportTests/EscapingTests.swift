import CohortReport
import CohortStatistics
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Labels from the data in the SVG figures and in report.md: characters XML forbids, raw HTML and
/// table pipes stay text.
@Suite struct EscapingTests {
    /// Whether an XML parser accepts the document.
    static func isWellFormed(_ xml: String) -> Bool {
        XMLParser(data: Data(xml.utf8)).parse()
    }

    @Test func xmlEscapeReplacesCharactersXMLForbids() {
        #expect(XML.escape("a\u{0}b\u{1b}c\u{FFFE}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
        #expect(XML.escape("tab\tline\nreturn\r") == "tab\tline\nreturn\r")
        #expect(XML.escape("<&\">") == "&lt;&amp;&quot;&gt;")
        #expect(XML.escape("plain é 😀") == "plain é 😀")
    }

    @Test func aLabelWithANulGivesAWellFormedSVG() throws {
        let km = try KaplanMeier(
            SurvivalData(time: [1, 2, 3, 4], event: [true, false, true, true]).sorted(), confidence: SurvivalConfidence(type: .log))
        let labels = ["a\u{0}b", "<script>x</script>\u{7}", "\u{1b}[2J & \"q\""]
        let svg = SurvivalPlot(
            title: "Title \u{0}", timeUnit: "months\u{8}", curves: labels.map { .init(label: $0, estimate: km) }, showBand: true
        ).svg()
        #expect(Self.isWellFormed(svg))
        #expect(!svg.contains("\u{0}") && !svg.contains("\u{1b}") && !svg.contains("<script"))
        // Without the escape the same text is not well-formed: the check can fail.
        #expect(!Self.isWellFormed("<svg><text>a\u{0}b</text></svg>"))
    }

    @Test func markdownPassesNoRawHTML() {
        let table = ReportTable(
            name: "t", title: "By <img src=x onerror=alert(1)>", header: ["Group", "n"],
            rows: [[.text("<b>bold</b> & | pipe"), .count(3, percent: nil)], [.text("line\nbreak\\"), .count(1, percent: nil)]],
            note: "<!-- note -->")
        let md = ReportRenderer(
            title: "<h1>T</h1>", subtitle: "S & S", sections: [("x", [.heading("<i>H</i>"), .paragraph("a <br> b"), .table(table)])],
            minCell: 0
        ).markdown()
        #expect(md.contains("| \\<b\\>bold\\</b\\> \\& \\| pipe | 3 |"))
        #expect(md.contains("| line break\\\\ | 1 |"))
        #expect(md.contains("## By \\<img src=x onerror=alert(1)\\>"))
        #expect(md.contains("# \\<h1\\>T\\</h1\\>") && md.contains("S \\& S") && md.contains("## \\<i\\>H\\</i\\>"))
        #expect(md.contains("a \\<br\\> b") && md.contains("\\<!-- note --\\>"))
        // No unescaped angle bracket is left anywhere.
        let unescaped = zip(md.unicodeScalars.dropFirst(), md.unicodeScalars).contains { c, before in c == "<" && before != "\\" }
        #expect(!unescaped && !md.hasPrefix("<"))
    }
}

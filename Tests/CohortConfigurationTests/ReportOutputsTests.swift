import CohortConfiguration
import Testing

/// `report: outputs:`: the files a run folder holds besides results.json.
@Suite struct ReportOutputsTests {
    static let base = """
        name: test
        match: ["*.csv"]
        columns:
          time: number
          dead: boolean
        survival: {time: time, event: dead}
        analyses:
          - {id: km, plugin: anything}
        """

    static func pipeline(report: String) throws -> Pipeline {
        try Pipeline(yaml: Self.base + "\nreport:\n" + report, file: "p.yaml")
    }

    @Test func everyOutputByDefault() throws {
        #expect(try Pipeline(yaml: Self.base, file: "p.yaml").report.outputs == ReportOutput.all)
        #expect(try Self.pipeline(report: "  title: T\n").report.outputs == ReportOutput.all)
        #expect(ReportOutput.all.map(\.rawValue).sorted() == ["csv", "docx", "html", "md", "pdf", "png", "svg"])
    }

    @Test func theListedOutputsOnly() throws {
        #expect(try Self.pipeline(report: "  outputs: [html, pdf, docx]\n").report.outputs == [.html, .pdf, .docx])
        #expect(try Self.pipeline(report: "  outputs: [html]\n").report.outputs == [.html])
        #expect(try Self.pipeline(report: "  outputs: md\n").report.outputs == [.md], "a single value is a list of one")
        #expect(try Self.pipeline(report: "  outputs: []\n").report.outputs.isEmpty, "results.json alone")
        let all = try Self.pipeline(report: "  outputs: [html, md, csv, svg, pdf, png, docx]\n  min_cell: 5\n")
        #expect(all.report.outputs == ReportOutput.all && all.report.minCell == 5)
    }

    @Test func anUnknownOutputIsALocatedError() throws {
        let e = try #require(configurationError { _ = try Self.pipeline(report: "  outputs: [html, pfd]\n") })
        #expect(e.code == .invalidValue)
        #expect(e.line == 10 && e.column == 19)
        #expect(e.path == "report.outputs[1]")
        #expect(e.message.contains("pfd") && e.message.contains("pdf"), "\(e.message)")
    }

    @Test func aRepeatedOutputIsAnError() throws {
        let e = try #require(configurationError { _ = try Self.pipeline(report: "  outputs: [png, svg, png]\n") })
        #expect(e.code == .duplicate && e.path == "report.outputs[2]")
    }

    @Test func outputsAsAMappingIsAWrongTypeError() throws {
        let e = try #require(configurationError { _ = try Self.pipeline(report: "  outputs: {html: true}\n") })
        #expect(e.code == .wrongType && e.path == "report.outputs")
    }

    @Test func aMisspelledKeyUnderReportIsSuggested() throws {
        let e = try #require(configurationError { _ = try Self.pipeline(report: "  output: [html]\n") })
        #expect(e.code == .unknownKey && e.message.contains("outputs"))
    }
}

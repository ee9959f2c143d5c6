import CohortConfiguration
import CohortPipeline
import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The run folder's figures through the real runner and RunWriter: every SVG well-formed XML, a
/// PDF and a 300-dpi PNG beside each, and `report: outputs:` honoured.
@Suite struct RunFolderFiguresTests {
    /// The 24-patient example (its pipeline, exec step included, from its own directory).
    static func exampleFiles(outputs: String? = nil) async throws -> [(name: String, bytes: [UInt8])] {
        var yaml = try String(contentsOfFile: Repository.paperPipeline, encoding: .utf8)
        if let outputs { yaml = yaml.replacingOccurrences(of: "\nreport:\n", with: "\nreport:\n  outputs: \(outputs)\n") }
        let directory = URL(fileURLWithPath: Repository.paperPipeline).deletingLastPathComponent().path
        let loaded = try LoadedPipeline(text: yaml, file: "rps-metastasectomy.yaml", directory: directory, registry: testRegistry)
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.paperExport))
        let info = RunInfo(id: "figures", fileName: "pm_database_export.csv")
        let outcome = await PipelineRunner(loaded).run(data, info: info)
        #expect(outcome.failure == nil)
        return RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info)
    }

    @Test func everyFigureIsWellFormedSVGWithAPDFAndAPNGAtItsSize() async throws {
        let files = try await Self.exampleFiles()
        let byName = Dictionary(files.map { ($0.name, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        let svgs = files.filter { $0.name.hasSuffix(".svg") }
        #expect(!svgs.isEmpty)
        #expect(byName["figure-errors.txt"] == nil)
        for svg in svgs {
            let root = try WellFormedXML.root(of: svg.bytes)
            #expect(root.name == "svg", "\(svg.name)")
            #expect(root.attributes["font-family"]?.hasPrefix("DejaVu Sans,") == true, "\(svg.name)")
            let base = String(svg.name.dropLast(4))
            let pdf = try #require(byName[base + ".pdf"], "\(base).pdf")
            #expect(pdf.starts(with: Array("%PDF-".utf8)))
            let png = try #require(byName[base + ".png"], "\(base).png")
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let width = try #require(root.attributes["width"].flatMap(Double.init))
            let height = try #require(root.attributes["height"].flatMap(Double.init))
            #expect(Self.bigEndian(png, at: 16) == Int((width * 300 / 96).rounded()), "\(base).png width")
            #expect(Self.bigEndian(png, at: 20) == Int((height * 300 / 96).rounded()), "\(base).png height")
        }
        // The report and the tables are there too: the default is every output.
        #expect(byName["report.html"] != nil && byName["report.md"] != nil && byName["flow.csv"] != nil)
    }

    @Test func htmlOnlyWritesNoFigureFilesNorTables() async throws {
        let names = try await Self.exampleFiles(outputs: "[html]").map(\.name)
        #expect(names.sorted() == ["report.html", "results.json"])
    }

    @Test func svgWithoutPDFAndPNG() async throws {
        let names = Set(try await Self.exampleFiles(outputs: "[md, csv, svg]").map(\.name))
        #expect(names.contains("overall.svg") && names.contains("report.md") && names.contains("overall.csv"))
        #expect(!names.contains { $0.hasSuffix(".pdf") || $0.hasSuffix(".png") || $0 == "report.html" })
    }

    @Test func pngWithoutTheSVG() async throws {
        let names = Set(try await Self.exampleFiles(outputs: "[png]").map(\.name))
        // The example's figures: the survival curve, the ROC curves and the forest plot.
        #expect(names == ["results.json", "overall.png", "cutoffs.png", "hazards.png"])
    }

    @Test func theChosenOutputsAreExposedOnThePipeline() throws {
        var yaml = try String(contentsOfFile: Repository.paperPipeline, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "\nreport:\n", with: "\nreport:\n  outputs: [html, docx]\n")
        let pipeline = try Pipeline(yaml: yaml, file: "p.yaml")
        #expect(pipeline.report.outputs.contains(.docx) && !pipeline.report.outputs.contains(.pdf))
    }

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> Int {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }
}

/// Foundation's XMLParser over a document: its root element, or an error when it is not
/// well-formed.
enum WellFormedXML {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func root(of bytes: [UInt8]) throws -> (name: String, attributes: [String: String]) {
        let parser = XMLParser(data: Data(bytes))
        let delegate = Root()
        parser.delegate = delegate
        guard parser.parse() else {
            throw Failure(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
        guard let root = delegate.root else { throw Failure(description: "no root element") }
        return root
    }

    private final class Root: NSObject, XMLParserDelegate {
        var root: (name: String, attributes: [String: String])?
        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            if root == nil { root = (elementName, attributeDict) }
        }
    }
}

import CohortReport
import Foundation
import Testing

@testable import CohortDocx

/// The package: its parts, their content types and relationships, and the figure embedding.
@Suite struct DocxPackageTests {
    static let figure = ReportFigure(name: "km", title: "Overall survival", svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")

    static func renderer(title: String = "A report", blocks: [ReportBlock], minCell: Int = 0) -> ReportRenderer {
        ReportRenderer(title: title, subtitle: "Pipeline p · run r", sections: [("overall", blocks)], minCell: minCell)
    }

    /// The content type a part gets from `[Content_Types].xml`: its override, else its extension's default.
    static func contentType(of path: String, in types: XMLNode) -> String? {
        if let override = types.children("Override").first(where: { $0.attributes["PartName"] == "/" + path }) {
            return override.attributes["ContentType"]
        }
        let ext = path.split(separator: ".").last.map(String.init) ?? ""
        return types.children("Default").first { $0.attributes["Extension"]?.lowercased() == ext }?.attributes["ContentType"]
    }

    @Test func everyPartHasItsContentTypeAndEveryRelationshipATarget() throws {
        let png = tinyPNG(width: 30, height: 20)
        let report = DocxReport(
            renderer: Self.renderer(blocks: [.paragraph("Text."), .figure(Self.figure)]), figures: ["overall.png": png],
            created: Date(timeIntervalSince1970: 1_800_000_000))
        let parts = try unzip(try report.bytes())
        #expect(
            Set(parts.keys) == [
                "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "word/document.xml", "word/_rels/document.xml.rels",
                "word/styles.xml", "word/settings.xml", "word/media/image1.png",
            ])
        let types = try xml(parts, "[Content_Types].xml")
        let expected: [String: String] = [
            "_rels/.rels": "application/vnd.openxmlformats-package.relationships+xml",
            "word/_rels/document.xml.rels": "application/vnd.openxmlformats-package.relationships+xml",
            "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
            "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "word/styles.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
            "word/settings.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
            "word/media/image1.png": "image/png",
        ]
        for (path, type) in expected { #expect(Self.contentType(of: path, in: types) == type, "\(path)") }
        // Every XML part is well-formed.
        for (path, data) in parts where !path.hasSuffix(".png") { #expect(TreeBuilder.parse(data) != nil, "\(path)") }
        // The package points at the document and the core properties; the document at its parts.
        let packageRels = try xml(parts, "_rels/.rels").children("Relationship")
        #expect(Set(packageRels.compactMap { $0.attributes["Target"] }) == ["word/document.xml", "docProps/core.xml"])
        let documentRels = try xml(parts, "word/_rels/document.xml.rels").children("Relationship")
        for rel in documentRels { #expect(parts["word/" + (rel.attributes["Target"] ?? "?")] != nil) }
        // The picture's r:embed names an image relationship whose part holds the PNG given.
        let document = try xml(parts, "word/document.xml")
        let blips = document.descendants("a:blip")
        #expect(blips.count == 1)
        let rel = try #require(documentRels.first { $0.attributes["Id"] == blips.first?.attributes["r:embed"] })
        #expect(rel.attributes["Type"] == "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image")
        #expect(parts["word/" + (rel.attributes["Target"] ?? "")] == Data(png))
        // The caption under the picture is the figure's title.
        let paragraphs = document.descendants("w:p")
        let pictureIndex = try #require(paragraphs.firstIndex { !$0.descendants("w:drawing").isEmpty })
        #expect(paragraphs[pictureIndex + 1].descendants("w:pStyle").first?.attributes["w:val"] == "Caption")
        #expect(paragraphs[pictureIndex + 1].wordText == "Figure 1. Overall survival")
        let core = try xml(parts, "docProps/core.xml")
        #expect(core.descendants("dcterms:created").first?.characters == "2027-01-15T08:00:00Z")
    }

    @Test func aFigureWithoutItsPNGIsNamedNotDrawn() throws {
        let bytes = try DocxReport(renderer: Self.renderer(blocks: [.figure(Self.figure)]), figures: ["other.png": tinyPNG(width: 2, height: 2)])
            .bytes()
        let parts = try unzip(bytes)
        #expect(!parts.keys.contains { $0.hasPrefix("word/media/") })
        let types = try xml(parts, "[Content_Types].xml")
        #expect(!types.children("Default").contains { $0.attributes["Extension"] == "png" })
        let document = try xml(parts, "word/document.xml")
        #expect(document.descendants("w:drawing").isEmpty)
        #expect(document.descendants("w:p").contains { $0.wordText == "Figure 1. Overall survival (overall.svg)" })
        // Bytes that are not a PNG are not embedded either.
        let notPNG = try unzip(try DocxReport(renderer: Self.renderer(blocks: [.figure(Self.figure)]), figures: ["overall.png": [1, 2, 3]]).bytes())
        #expect(!notPNG.keys.contains { $0.hasPrefix("word/media/") })
    }

    @Test func aFigureFillsTheTextWidthWithItsAspectRatioUnlessTooTall() throws {
        let textWidthEMU = (11906 - 2 * 1440) * 635
        for (width, height) in [(900, 600), (100, 1000)] {
            let bytes = try DocxReport(
                renderer: Self.renderer(blocks: [.figure(Self.figure)]), figures: ["overall.png": tinyPNG(width: width, height: height)]
            ).bytes()
            let document = try xml(unzip(bytes), "word/document.xml")
            let extent = try #require(document.descendants("wp:extent").first)
            let cx = try #require(extent.attributes["cx"].flatMap { Int($0) })
            let cy = try #require(extent.attributes["cy"].flatMap { Int($0) })
            #expect(cx <= textWidthEMU && cy <= (16838 - 2 * 1440) * 635)
            #expect(abs(Double(cx) / Double(cy) - Double(width) / Double(height)) < 0.001)
            if width > height { #expect(cx == textWidthEMU) } else { #expect(cx < textWidthEMU / 2) }
        }
    }

    @Test func theSameReportGivesTheSameBytes() throws {
        let report = DocxReport(
            renderer: Self.renderer(blocks: [.paragraph("x"), .figure(Self.figure)]), figures: ["overall.png": tinyPNG(width: 4, height: 3)])
        #expect(try report.bytes() == report.bytes())
    }

    @Test func pngSizeIsReadFromIHDR() {
        let size = PNGSize(tinyPNG(width: 123, height: 45))
        #expect(size?.width == 123 && size?.height == 45)
        #expect(PNGSize(Array("GIF89a.................".utf8)) == nil)
        #expect(PNGSize(Array(tinyPNG(width: 3, height: 3).prefix(20))) == nil)
    }
}

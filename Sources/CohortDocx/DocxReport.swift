public import CohortReport
public import Foundation
import ZIPFoundation

/// The Word report (`report.docx`): the same title, sections and cells as report.md, with every
/// table a real Word table, the figures as inline PNGs with captions, the checks, and the methods
/// paragraphs when given. The OOXML is written here and zipped in memory with ZIPFoundation.
public struct DocxReport: Sendable {
    /// The report's title, subtitle, blocks and `min_cell`, as the other formats render them.
    public var renderer: ReportRenderer
    /// Each figure's PNG by its file name in the run folder (`overall.png`: the SVG's name with
    /// `.png`); a figure without one is named in a caption instead of drawn.
    public var figures: [String: [UInt8]]
    /// The "Statistical analysis" paragraphs, printed before the results; none by default.
    public var methods: [String]
    /// The run's start, written as the document's creation time; left out when `nil`.
    public var created: Date?

    public init(renderer: ReportRenderer, figures: [String: [UInt8]] = [:], methods: [String] = [], created: Date? = nil) {
        self.renderer = renderer
        self.figures = figures
        self.methods = methods
        self.created = created
    }

    /// The package's parts by path, `[Content_Types].xml` first.
    func parts() -> [(path: String, bytes: [UInt8])] {
        let (document, images) = DocumentXML(report: self).build()
        let created = created.map { date -> String in
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return formatter.string(from: date)
        }
        var parts: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array(PackageParts.contentTypes(hasImages: !images.isEmpty).utf8)),
            ("_rels/.rels", Array(PackageParts.packageRelationships.utf8)),
            ("docProps/core.xml", Array(PackageParts.coreProperties(title: renderer.title, created: created).utf8)),
            ("word/document.xml", Array(document.utf8)),
            ("word/_rels/document.xml.rels", Array(PackageParts.documentRelationships(images: images.map { ($0.id, $0.target) }).utf8)),
            ("word/styles.xml", Array(Styles.xml.utf8)),
            ("word/settings.xml", Array(PackageParts.settings.utf8)),
        ]
        for image in images { parts.append(("word/" + image.target, image.bytes)) }
        return parts
    }

    /// The `.docx` file's bytes.
    public func bytes() throws(DocxError) -> [UInt8] {
        try ZipWriter.zip(parts())
    }
}

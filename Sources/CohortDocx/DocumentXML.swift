import CohortReport

/// `word/document.xml`: the report's blocks in order, then the closing "Checks" section, on A4
/// pages; and the images the document embeds.
struct DocumentXML {
    /// A4 with 2.54 cm margins, in twips.
    static let pageWidth = 11906
    static let pageHeight = 16838
    static let margin = 1440
    static let textWidth = pageWidth - 2 * margin
    /// EMU per twip (914400 per inch, 1440 twips per inch).
    static let emuPerTwip = 635

    /// One embedded image: its part name under `word/` and its relationship id.
    struct Image: Sendable {
        var id: String
        var target: String
        var bytes: [UInt8]
    }

    var report: DocxReport

    /// The document XML and the images it references, in order of appearance.
    func build() -> (xml: String, images: [Image]) {
        let renderer = report.renderer
        var images: [Image] = []
        var body = WordML.paragraph(renderer.title, style: "Title")
        body += WordML.paragraph(renderer.subtitle, style: "Subtitle")
        if !report.methods.isEmpty {
            body += WordML.paragraph("Statistical analysis", style: "Heading1")
            for p in report.methods { body += WordML.paragraph(p, style: nil) }
            body += WordML.paragraph("Results", style: "Heading1")
        }
        let figureFiles = renderer.figureFiles()
        var figureNumber = 0
        for (_, blocks) in renderer.sections {
            for block in blocks {
                switch block {
                case .heading(let h): body += WordML.paragraph(h, style: "Heading2")
                case .paragraph(let p): body += WordML.paragraph(p, style: nil)
                case .table(let t):
                    body += WordML.paragraph(t.title, style: "Heading2", keepNext: true)
                    body += TableXML(table: t, minCell: renderer.minCell, textWidth: Self.textWidth).xml
                    if let note = t.note {
                        body += WordML.paragraph(note, style: "TableNote")
                    }
                    // Two tables in a row would otherwise touch; Word requires a paragraph after a table anyway.
                    else {
                        body += WordML.paragraph(style: "TableNote", runs: "")
                    }
                case .figure(let f):
                    // Captions are numbered as a paper's are ("Figure 1."): the title is drawn in the figure too.
                    figureNumber += 1
                    let caption = "Figure \(figureNumber). \(f.title)"
                    let svgName = figureFiles.first { $0.figure == f }?.name ?? "\(f.name).svg"
                    let pngName = (svgName.hasSuffix(".svg") ? String(svgName.dropLast(4)) : svgName) + ".png"
                    if let png = report.figures[pngName], let size = PNGSize(png) {
                        let image = Image(id: "rIdImage\(images.count + 1)", target: "media/image\(images.count + 1).png", bytes: png)
                        images.append(image)
                        let drawing = DrawingXML(
                            relationship: image.id, id: images.count, size: size, description: f.title,
                            maxWidth: Self.textWidth * Self.emuPerTwip, maxHeight: (Self.pageHeight - 2 * Self.margin) * Self.emuPerTwip * 6 / 10)
                        body += WordML.paragraph(style: "Figure", runs: drawing.xml)
                        body += WordML.paragraph(caption, style: "Caption")
                    } else {
                        body += WordML.paragraph("\(caption) (\(svgName))", style: "Caption")
                    }
                case .checks(let checks):
                    for check in checks {
                        body += WordML.paragraph(
                            style: "Check",
                            runs: WordML.run("Check", bold: true) + WordML.run(" (") + WordML.run(check.code, code: true)
                                + WordML.run("): " + check.message))
                    }
                }
            }
        }
        let raised = renderer.checksBySection
        if !raised.isEmpty {
            body += WordML.paragraph("Checks", style: "Heading1")
            for (id, checks) in raised {
                for check in checks {
                    body += WordML.paragraph(
                        style: "CheckItem", runs: WordML.run("•\t\(id) (") + WordML.run(check.code, code: true) + WordML.run("): " + check.message))
                }
            }
        }
        let section =
            "<w:sectPr><w:pgSz w:w=\"\(Self.pageWidth)\" w:h=\"\(Self.pageHeight)\"/><w:pgMar w:top=\"\(Self.margin)\" w:right=\"\(Self.margin)\" "
            + "w:bottom=\"\(Self.margin)\" w:left=\"\(Self.margin)\" w:header=\"708\" w:footer=\"708\" w:gutter=\"0\"/></w:sectPr>"
        let xml =
            PackageParts.declaration + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" "
            + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
            + "xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" "
            + "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
            + "xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
            + "<w:body>\(body)\(section)</w:body></w:document>"
        return (xml, images)
    }
}

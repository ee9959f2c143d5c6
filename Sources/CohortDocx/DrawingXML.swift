import CohortReport

/// A PNG placed inline (DrawingML `wp:inline`, the picture referenced by `a:blip r:embed`),
/// scaled to the text width with its own aspect ratio, and no taller than `maxHeight`.
struct DrawingXML {
    /// The relationship id of the image part in `word/_rels/document.xml.rels`.
    var relationship: String
    /// The `docPr` id, unique among the document's drawings.
    var id: Int
    var size: PNGSize
    /// The alternative text: the figure's title.
    var description: String
    /// Width and height limits in EMU (914400 to the inch).
    var maxWidth: Int
    var maxHeight: Int

    /// The placed size in EMU: the full text width, reduced to keep within `maxHeight`.
    var extent: (cx: Int, cy: Int) {
        var cx = maxWidth
        var cy = Int((Double(cx) * Double(size.height) / Double(size.width)).rounded())
        if cy > maxHeight {
            cy = maxHeight
            cx = Int((Double(cy) * Double(size.width) / Double(size.height)).rounded())
        }
        return (cx, cy)
    }

    var xml: String {
        let (cx, cy) = extent
        let alt = XML.escape(description)
        return """
            <w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="\(cx)" cy="\(cy)"/>\
            <wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="\(id)" name="Figure \(id)" descr="\(alt)"/>\
            <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>\
            <a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>\
            <pic:nvPicPr><pic:cNvPr id="\(id)" name="Figure \(id)" descr="\(alt)"/><pic:cNvPicPr/></pic:nvPicPr>\
            <pic:blipFill><a:blip r:embed="\(relationship)"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
            <pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="\(cx)" cy="\(cy)"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>\
            </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>
            """
    }
}

/// `word/styles.xml`: Word's own Title, Subtitle, Heading 1 and Heading 2 (so that the
/// navigation pane and a table of contents find the sections), a caption style for figures, and
/// the report's table text, table note and check styles. Arial (Liberation Sans where Arial is
/// absent, metrically the same), 10 pt.
enum Styles {
    static func paragraphStyle(
        _ id: String, name: String, basedOn: String? = "Normal", next: String? = nil, outline: Int? = nil, pPr: String = "", rPr: String = "",
        builtIn: Bool = true
    ) -> String {
        var out = "<w:style w:type=\"paragraph\" w:styleId=\"\(id)\"" + (builtIn ? "" : " w:customStyle=\"1\"") + "><w:name w:val=\"\(name)\"/>"
        if let basedOn { out += "<w:basedOn w:val=\"\(basedOn)\"/>" }
        if let next { out += "<w:next w:val=\"\(next)\"/>" }
        out += "<w:qFormat/>"
        var paragraph = pPr
        if let outline { paragraph += "<w:outlineLvl w:val=\"\(outline)\"/>" }
        if !paragraph.isEmpty { out += "<w:pPr>\(paragraph)</w:pPr>" }
        if !rPr.isEmpty { out += "<w:rPr>\(rPr)</w:rPr>" }
        return out + "</w:style>"
    }

    static let xml: String = {
        let font = "<w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:eastAsia=\"Arial\" w:cs=\"Arial\"/>"
        var out = PackageParts.declaration + "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        out += "<w:docDefaults><w:rPrDefault><w:rPr>\(font)<w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/><w:lang w:val=\"en-GB\"/></w:rPr></w:rPrDefault>"
        out += "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>"
        out += "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>"
        out += paragraphStyle(
            "Title", name: "Title", next: "Normal", pPr: "<w:spacing w:after=\"60\"/>", rPr: "<w:b/><w:sz w:val=\"36\"/><w:szCs w:val=\"36\"/>")
        out += paragraphStyle(
            "Subtitle", name: "Subtitle", next: "Normal", pPr: "<w:spacing w:after=\"240\"/>",
            rPr: "<w:color w:val=\"555555\"/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>")
        out += paragraphStyle(
            "Heading1", name: "heading 1", next: "Normal", outline: 0,
            pPr: "<w:keepNext/><w:keepLines/><w:spacing w:before=\"360\" w:after=\"120\"/>",
            rPr: "<w:b/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>")
        out += paragraphStyle(
            "Heading2", name: "heading 2", next: "Normal", outline: 1, pPr: "<w:keepNext/><w:keepLines/><w:spacing w:before=\"240\" w:after=\"80\"/>",
            rPr: "<w:b/><w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/>")
        out += paragraphStyle(
            "Caption", name: "caption", next: "Normal", pPr: "<w:spacing w:before=\"60\" w:after=\"240\"/>",
            rPr: "<w:i/><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>")
        out += paragraphStyle(
            "Figure", name: "Figure", pPr: "<w:keepNext/><w:spacing w:before=\"120\" w:after=\"0\"/><w:jc w:val=\"center\"/>", builtIn: false)
        out += paragraphStyle(
            "TableText", name: "Table Text", pPr: "<w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/>",
            rPr: "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>", builtIn: false)
        out += paragraphStyle(
            "TableTextSmall", name: "Table Text Small", basedOn: "TableText", rPr: "<w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/>", builtIn: false)
        out += paragraphStyle(
            "TableNote", name: "Table Note", pPr: "<w:spacing w:before=\"60\" w:after=\"240\" w:line=\"240\" w:lineRule=\"auto\"/>",
            rPr: "<w:color w:val=\"444444\"/><w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/>", builtIn: false)
        out += paragraphStyle(
            "Check", name: "Check",
            pPr: "<w:pBdr><w:left w:val=\"single\" w:sz=\"24\" w:space=\"6\" w:color=\"E69F00\"/></w:pBdr>"
                + "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"FFF8E6\"/><w:spacing w:before=\"60\" w:after=\"60\"/><w:ind w:left=\"170\"/>",
            rPr: "<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/>", builtIn: false)
        out += paragraphStyle(
            "CheckItem", name: "Check Item", pPr: "<w:spacing w:after=\"60\"/><w:ind w:left=\"284\" w:hanging=\"284\"/>", builtIn: false)
        out +=
            "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/>"
        out += "<w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/>"
        out += "<w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
        out +=
            "<w:style w:type=\"table\" w:customStyle=\"1\" w:styleId=\"ReportTable\"><w:name w:val=\"Report Table\"/><w:basedOn w:val=\"TableNormal\"/></w:style>"
        return out + "</w:styles>"
    }()
}

import CohortReport

/// WordprocessingML fragments: paragraphs and runs of escaped text.
enum WordML {
    /// A run of text: every character escaped (XML.escape also replaces the characters XML 1.0
    /// forbids), line breaks as `w:br`, tabs as `w:tab`, spaces kept. Run properties in the
    /// schema's order (fonts before bold).
    static func run(_ text: String, bold: Bool = false, code: Bool = false) -> String {
        var properties = ""
        if code { properties += "<w:rFonts w:ascii=\"Courier New\" w:hAnsi=\"Courier New\" w:cs=\"Courier New\"/>" }
        if bold { properties += "<w:b/>" }
        let rPr = properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>"
        let lines = text.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let body = lines.map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map { piece in
                piece.isEmpty ? "" : "<w:t xml:space=\"preserve\">\(XML.escape(String(piece)))</w:t>"
            }.joined(separator: "<w:tab/>")
        }.joined(separator: "<w:br/>")
        return "<w:r>\(rPr)\(body)</w:r>"
    }

    /// A paragraph of the given style holding `runs` (already WordprocessingML).
    static func paragraph(style: String?, runs: String, keepNext: Bool = false, alignment: String? = nil) -> String {
        var pPr = ""
        if let style { pPr += "<w:pStyle w:val=\"\(style)\"/>" }
        if keepNext { pPr += "<w:keepNext/>" }
        if let alignment { pPr += "<w:jc w:val=\"\(alignment)\"/>" }
        return "<w:p>" + (pPr.isEmpty ? "" : "<w:pPr>\(pPr)</w:pPr>") + runs + "</w:p>"
    }

    /// A paragraph of one run of plain text.
    static func paragraph(_ text: String, style: String?, keepNext: Bool = false) -> String {
        paragraph(style: style, runs: run(text), keepNext: keepNext)
    }
}

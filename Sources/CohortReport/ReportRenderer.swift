/// Renders a run's report blocks as Markdown, self-contained HTML, CSV tables and SVG figures.
public struct ReportRenderer: Sendable {
    public var title: String
    public var subtitle: String
    public var sections: [(id: String, blocks: [ReportBlock])]
    public var minCell: Int

    public init(title: String, subtitle: String, sections: [(id: String, blocks: [ReportBlock])], minCell: Int) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.minCell = minCell
    }

    var allBlocks: [ReportBlock] { sections.flatMap { $0.blocks } }

    /// The checks each section raised, in section order (sections without any left out).
    public var checksBySection: [(id: String, checks: [ReportCheck])] {
        sections.compactMap { section in
            let checks = section.blocks.flatMap { block -> [ReportCheck] in
                if case .checks(let c) = block { return c } else { return [] }
            }
            return checks.isEmpty ? nil : (section.id, checks)
        }
    }

    /// File names: a section's only table or figure is named after the section id
    /// (`overall.csv`, `overall.svg`); several are `<id>_<name>`.
    func fileNames() -> (tables: [(name: String, table: ReportTable)], figures: [(name: String, figure: ReportFigure)]) {
        var tables: [(String, ReportTable)] = []
        var figures: [(String, ReportFigure)] = []
        for (id, blocks) in sections {
            let sectionTables = blocks.compactMap { if case .table(let t) = $0 { return t } else { return nil } }
            let sectionFigures = blocks.compactMap { if case .figure(let f) = $0 { return f } else { return nil } }
            for t in sectionTables { tables.append((sectionTables.count == 1 ? "\(id).csv" : "\(id)_\(t.name).csv", t)) }
            for f in sectionFigures { figures.append((sectionFigures.count == 1 ? "\(id).svg" : "\(id)_\(f.name).svg", f)) }
        }
        return (tables, figures)
    }

    /// Every table as CSV, by file name.
    public func csvFiles() -> [(name: String, text: String)] {
        fileNames().tables.map { ($0.name, csv($0.table)) }
    }

    /// Every figure with the name of its SVG file (`overall.svg`), in report order: other
    /// renderings of a figure (PNG, PDF) take the same name with their own extension.
    public func figureFiles() -> [(name: String, figure: ReportFigure)] {
        fileNames().figures
    }

    /// Every figure as SVG, by file name.
    public func svgFiles() -> [(name: String, text: String)] {
        fileNames().figures.map { ($0.name, $0.figure.svg) }
    }

    /// A table as RFC 4180 CSV; cells that a spreadsheet would run as a formula (= + - @, tab,
    /// carriage return) are prefixed with a quote character.
    public func csv(_ table: ReportTable) -> String {
        var lines = [table.header.map(Self.csvCell).joined(separator: ",")]
        for row in table.rows { lines.append(row.map { Self.csvCell($0.rendered(minCell: minCell)) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func csvCell(_ raw: String) -> String {
        var s = raw
        if let first = s.utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first) {
            s = "'" + s
        }
        if s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            s = "\"" + s.replacing("\"", with: "\"\"") + "\""
        }
        return s
    }

    public func markdown() -> String {
        let e = MarkdownText.escape
        var out = "# \(e(title))\n\n\(e(subtitle))\n\n"
        let figureNames = fileNames().figures
        for block in allBlocks {
            switch block {
            case .heading(let h): out += "## \(e(h))\n\n"
            case .paragraph(let p): out += "\(e(p))\n\n"
            case .table(let t):
                out += "## \(e(t.title))\n\n"
                out += "| " + t.header.map(Self.markdownCell).joined(separator: " | ") + " |\n"
                out += "|" + t.header.map { _ in " --- |" }.joined() + "\n"
                for row in t.rows {
                    out += "| " + row.map { Self.markdownCell($0.rendered(minCell: minCell)) }.joined(separator: " | ") + " |\n"
                }
                if let note = t.note { out += "\n\(e(note))\n" }
                out += "\n"
            case .figure(let f):
                let file = figureNames.first { $0.figure == f }?.name ?? "\(f.name).svg"
                out += "![\(e(f.title).replacing("[", with: "\\[").replacing("]", with: "\\]"))](\(file))\n\n"
            case .checks(let checks):
                out += checks.map { "> **Check** (`\($0.code)`): \(e($0.message))\n" }.joined(separator: ">\n") + "\n"
            }
        }
        let raised = checksBySection
        if !raised.isEmpty {
            out += "## Checks\n\n"
            for (id, checks) in raised {
                for check in checks { out += "- \(e(id)) (`\(check.code)`): \(e(check.message))\n" }
            }
            out += "\n"
        }
        return out
    }

    static func markdownCell(_ s: String) -> String { MarkdownText.cell(s) }

    /// Columns right-aligned as numbers: those whose non-empty cells are all counts. A column that
    /// mixes counts with other statistics ("63.3 (9.1)" above "36 (26.3%)", as in Table 1) is
    /// aligned left throughout, so that it does not read ragged.
    public static func numericColumns(_ t: ReportTable) -> [Bool] {
        let width = t.rows.map(\.count).max() ?? 0
        return (0..<width).map { k in
            var counts = 0
            for row in t.rows where k < row.count {
                switch row[k] {
                case .count: counts += 1
                case .text(let s): if !s.isEmpty { return false }
                }
            }
            return counts > 0
        }
    }

    /// A self-contained HTML page: inline CSS and SVG, no scripts, fonts or external images.
    public func html() -> String {
        let e = XML.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>
            body{font-family:Helvetica,Arial,sans-serif;color:#1a1a1a;max-width:1000px;margin:2em auto;padding:0 1em;line-height:1.4}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
            .sub{color:#555;margin-top:0}table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
            th,td{padding:.3em .7em;text-align:left;vertical-align:top}thead th{border-top:2px solid #333;border-bottom:1px solid #333}
            tbody tr:last-child td{border-bottom:2px solid #333}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .note{color:#555;font-size:.85em}figure{margin:1em 0}svg{max-width:100%;height:auto}
            .checks{border-left:4px solid #e69f00;background:#fff8e6;padding:.2em .8em;margin:.6em 0;font-size:.92em}.checks p{margin:.3em 0}
            @page{size:A4;margin:16mm 14mm}
            @media print{body{max-width:none;margin:0;padding:0;font-size:10pt}section.analysis+section.analysis{break-before:page}
            h2{break-after:avoid}tr,figure,.checks,.note{break-inside:avoid}thead{display:table-header-group}
            .checks{background:none}a{color:inherit}}
            </style></head><body>
            <h1>\(e(title))</h1>
            <p class="sub">\(e(subtitle))</p>

            """
        var figureNumber = 0
        for (id, blocks) in sections {
            // Each analysis a section: printed, each starts a page.
            out += "<section class=\"analysis\" id=\"\(e(id))\">\n"
            for block in blocks { html(block, into: &out, figureNumber: &figureNumber) }
            out += "</section>\n"
        }
        let raised = checksBySection
        if !raised.isEmpty {
            out += "<section class=\"analysis\" id=\"checks\">\n<h2>Checks</h2>\n<ul class=\"checks-list\">\n"
            for (id, checks) in raised {
                for check in checks { out += "<li>\(e(id)) (<code>\(e(check.code))</code>): \(e(check.message))</li>\n" }
            }
            out += "</ul>\n</section>\n"
        }
        out += "</body></html>\n"
        return out
    }

    /// One block as HTML; figures are numbered in the order they appear.
    func html(_ block: ReportBlock, into out: inout String, figureNumber: inout Int) {
        let e = XML.escape
        switch block {
        case .heading(let h): out += "<h2>\(e(h))</h2>\n"
        case .paragraph(let p): out += "<p>\(e(p))</p>\n"
        case .table(let t):
            out += "<h2>\(e(t.title))</h2>\n<table>\n<thead><tr>" + t.header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            let numeric = Self.numericColumns(t)
            for row in t.rows {
                out +=
                    "<tr>"
                    + row.enumerated().map { k, cell in
                        let text = cell.rendered(minCell: minCell)
                        return k < numeric.count && numeric[k] ? "<td class=\"num\">\(e(text))</td>" : "<td>\(e(text))</td>"
                    }.joined() + "</tr>\n"
            }
            out += "</tbody></table>\n"
            if let note = t.note { out += "<p class=\"note\">\(e(note))</p>\n" }
        case .figure(let f):
            figureNumber += 1
            out += "<figure>\n\(f.svg)<figcaption class=\"note\">Figure \(figureNumber). \(e(f.title))</figcaption></figure>\n"
        case .checks(let checks):
            out +=
                "<div class=\"checks\">" + checks.map { "<p><strong>Check</strong> (<code>\(e($0.code))</code>): \(e($0.message))</p>" }.joined()
                + "</div>\n"
        }
    }
}

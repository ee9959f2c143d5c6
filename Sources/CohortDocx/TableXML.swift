import CohortReport

/// A report table as a Word table: a paper's three-line table (a rule above the header, one
/// below it, one under the last row), the header row repeated on every page, rows that never
/// split across pages, count columns aligned right, and the empty cells of the table's
/// `continuingColumns` merged with the cell above (`w:vMerge`).
struct TableXML {
    var table: ReportTable
    var minCell: Int
    /// The width available, in twentieths of a point.
    var textWidth: Int

    /// The table's column widths in twips, summing to the text width (see ``ColumnWidths``), and
    /// its font size: 9 pt, or 8 pt when at 9 pt its short cells (an estimate with its interval)
    /// would have to wrap, as a paper sets a wide table smaller.
    func layout(columns: Int) -> (widths: [Int], points: Int) {
        let rows = table.rows.map { $0.map { $0.rendered(minCell: minCell) } }
        let regular = ColumnWidths.compute(header: table.header, rows: rows, columns: columns, textWidth: textWidth)
        if regular.wholeShortCells { return (regular.widths, 9) }
        return (ColumnWidths.compute(header: table.header, rows: rows, columns: columns, textWidth: textWidth, points: 8).widths, 8)
    }

    /// Whether the cell at data row `r`, column `k` continues the cell above it: it is empty, in
    /// one of the continuing columns, and not in the first row.
    func continues(_ r: Int, _ k: Int) -> Bool {
        guard r > 0, table.continuingColumns.contains(k), k < table.rows[r].count, k < table.rows[r - 1].count else { return false }
        return table.rows[r][k].rendered(minCell: minCell).isEmpty
    }

    var xml: String {
        let columns = max(table.header.count, table.rows.map(\.count).max() ?? 0)
        let (widths, points) = layout(columns: columns)
        let textStyle = points == 9 ? "TableText" : "TableTextSmall"
        let numeric = ReportRenderer.numericColumns(table)
        let rule = "w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\""
        var out = "<w:tbl><w:tblPr><w:tblStyle w:val=\"ReportTable\"/><w:tblW w:w=\"\(textWidth)\" w:type=\"dxa\"/>"
        out += "<w:tblBorders><w:top \(rule)/><w:bottom \(rule)/></w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
        out += "<w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar>"
        out += "<w:tblLook w:val=\"0020\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/>"
        out += "</w:tblPr><w:tblGrid>" + widths.map { "<w:gridCol w:w=\"\($0)\"/>" }.joined() + "</w:tblGrid>"
        // The header: repeated at the top of each page, kept with the first row, ruled below.
        out += "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        for k in 0..<columns {
            let text = k < table.header.count ? table.header[k] : ""
            let jc = k < numeric.count && numeric[k] ? "right" : nil
            out += "<w:tc><w:tcPr><w:tcW w:w=\"\(widths[k])\" w:type=\"dxa\"/>"
            out +=
                "<w:tcBorders><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/></w:tcBorders><w:vAlign w:val=\"bottom\"/></w:tcPr>"
            out += WordML.paragraph(style: textStyle, runs: WordML.run(text, bold: true), keepNext: true, alignment: jc) + "</w:tc>"
        }
        out += "</w:tr>"
        for (r, row) in table.rows.enumerated() {
            // A row followed by one that continues it is kept on the same page as that row.
            let keepWithNext = r + 1 < table.rows.count && table.continuingColumns.contains { continues(r + 1, $0) }
            out += "<w:tr><w:trPr><w:cantSplit/>" + (row.count < columns ? "<w:gridAfter w:val=\"\(columns - row.count)\"/>" : "") + "</w:trPr>"
            for (k, cell) in row.enumerated() {
                var merge = ""
                if continues(r, k) {
                    merge = "<w:vMerge/>"
                } else if r + 1 < table.rows.count && continues(r + 1, k) {
                    merge = "<w:vMerge w:val=\"restart\"/>"
                }
                let jc = k < numeric.count && numeric[k] ? "right" : nil
                let text = continues(r, k) ? "" : cell.rendered(minCell: minCell)
                out += "<w:tc><w:tcPr><w:tcW w:w=\"\(widths[k])\" w:type=\"dxa\"/>\(merge)</w:tcPr>"
                out += WordML.paragraph(style: textStyle, runs: text.isEmpty ? "" : WordML.run(text), keepNext: keepWithNext, alignment: jc)
                out += "</w:tc>"
            }
            out += "</w:tr>"
        }
        return out + "</w:tbl>"
    }
}

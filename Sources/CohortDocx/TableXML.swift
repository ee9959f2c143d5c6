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

    /// Twips per character of 9 pt Arial, a little over its digits' width (0.556 em), and a
    /// cell's left and right margins.
    static let twipsPerCharacter = 105
    static let cellMargins = 2 * 85

    /// The table's column widths in twips, summing to the text width. Each column wants its
    /// longest cell on one line, and its header too when there is room; when the cells do not
    /// all fit, the widest columns give way first (their texts wrap at spaces), down to the
    /// longest word, while short cells (a count, an estimate with its interval: at most 18
    /// characters) never wrap. Room left over goes first to headers that would wrap, then to
    /// every column in proportion to its width.
    func columnWidths(columns: Int) -> [Int] {
        func longestWord(_ s: String) -> Int { s.split(separator: " ").map(\.count).max() ?? 0 }
        var cells = [Int](repeating: 1, count: columns)
        var headers = [Int](repeating: 1, count: columns)
        var least = [Int](repeating: 1, count: columns)
        for (k, h) in table.header.enumerated() where k < columns {
            headers[k] = h.count
            least[k] = max(least[k], longestWord(h))
        }
        for row in table.rows {
            for (k, cell) in row.enumerated() where k < columns {
                let text = cell.rendered(minCell: minCell)
                cells[k] = max(cells[k], text.count)
                least[k] = max(least[k], text.count <= 18 ? text.count : longestWord(text))
            }
        }
        let twips = { (chars: Int) in chars * Self.twipsPerCharacter + Self.cellMargins }
        let floor = least.map(twips)
        let want = zip(cells, least).map { twips(max($0, $1)) }
        let withHeaders = zip(want, headers).map { max($0, twips($1)) }
        var widths: [Int]
        if withHeaders.reduce(0, +) <= textWidth {
            widths = withHeaders
        } else if want.reduce(0, +) <= textWidth {
            // The cells fit on one line; the room left widens the headers that would wrap, each by
            // its share of what all of them lack.
            let room = textWidth - want.reduce(0, +)
            let lacking = zip(withHeaders, want).map { $0 - $1 }
            let totalLacking = max(lacking.reduce(0, +), 1)
            widths = zip(want, lacking).map { $0 + $1 * room / totalLacking }
        } else if floor.reduce(0, +) >= textWidth {
            widths = floor
        } else {
            // The largest cap at which every column, kept between its floor and its want, still fits.
            var (low, high) = (0, want.max() ?? 0)
            while low < high {
                let cap = (low + high + 1) / 2
                let total = zip(want, floor).reduce(0) { $0 + max($1.1, min($1.0, cap)) }
                if total <= textWidth { low = cap } else { high = cap - 1 }
            }
            widths = zip(want, floor).map { max($0.1, min($0.0, low)) }
        }
        let total = max(widths.reduce(0, +), 1)
        widths = widths.map { $0 * textWidth / total }
        if let last = widths.indices.last { widths[last] += textWidth - widths.reduce(0, +) }
        return widths
    }

    /// Whether the cell at data row `r`, column `k` continues the cell above it: it is empty, in
    /// one of the continuing columns, and not in the first row.
    func continues(_ r: Int, _ k: Int) -> Bool {
        guard r > 0, table.continuingColumns.contains(k), k < table.rows[r].count, k < table.rows[r - 1].count else { return false }
        return table.rows[r][k].rendered(minCell: minCell).isEmpty
    }

    var xml: String {
        let columns = max(table.header.count, table.rows.map(\.count).max() ?? 0)
        let widths = columnWidths(columns: columns)
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
            out += WordML.paragraph(style: "TableText", runs: WordML.run(text, bold: true), keepNext: true, alignment: jc) + "</w:tc>"
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
                out += WordML.paragraph(style: "TableText", runs: text.isEmpty ? "" : WordML.run(text), keepNext: keepWithNext, alignment: jc)
                out += "</w:tc>"
            }
            out += "</w:tr>"
        }
        return out + "</w:tbl>"
    }
}

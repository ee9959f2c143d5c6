/// Column widths for a Word table, in twips, from what the columns hold: short cells (a count,
/// an estimate with its interval) stay on one line, long labels and headers wrap first.
enum ColumnWidths {
    /// A cell's left and right margins (`w:tblCellMar`), plus a little slack for the renderer.
    static let cellMargins = 2 * 85 + 40
    /// Cells up to this many characters never wrap while the table can be laid out otherwise.
    static let shortCell = 18

    /// The advance width of `text` in twips in Arial of `points` (bold about 8% wider), from the
    /// widths of Arial's glyphs in thousandths of an em, by class: so that "0.252" is known to be
    /// narrower than "MWMWM".
    static func twips(_ text: some StringProtocol, bold: Bool = false, points: Int = 9) -> Int {
        var thousandths = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ", ".", ",", ":", ";", "!", "'", "|", "/", "[", "]", "i", "j", "l", "I", "f", "t": thousandths += 278
            case "(", ")", "-", "r", "\"", "*": thousandths += 333
            case "0"..."9", "a"..."z", "–", "±", "<", ">", "=", "≤", "≥", "+", "#", "$", "?", "_": thousandths += 556
            case "m", "%", "M", "—": thousandths += 889
            case "w", "W": thousandths += 778
            case "A"..."Z": thousandths += 700
            case "\u{2070}"..."\u{209F}", "\u{00B9}", "\u{00B2}", "\u{00B3}", "\u{1D2C}"..."\u{1D6A}": thousandths += 333
            default: thousandths += scalar.value >= 0x2E80 ? 1000 : 600
            }
        }
        // 20 twips to the point, so an em is 20 × points twips; 5% more for what the estimate misses.
        return thousandths * 20 * points * (bold ? 108 : 100) * 105 / (1000 * 100 * 100)
    }

    static func longestWord(_ s: String, bold: Bool = false, points: Int = 9) -> Int {
        s.split(separator: " ").map { twips($0, bold: bold, points: points) }.max() ?? 0
    }

    /// The widths of `columns` columns holding `header` and `rows` (rendered cell texts), summing
    /// to `textWidth`. Tried in turn, the first layout that fits wins: every header and cell on
    /// one line; cells on one line and the room left to the headers that would wrap, each by its
    /// share of what all of them lack; long cells wrapping, the widest columns giving way first
    /// (a common cap), short cells whole; every cell wrapping at spaces, the same way; else each
    /// column at its longest word, scaled to fit. Room left over goes to every column in
    /// proportion to its width. `wholeShortCells` is false when short cells must wrap (the caller
    /// may then try a smaller font).
    static func compute(header: [String], rows: [[String]], columns: Int, textWidth: Int, points: Int = 9) -> (
        widths: [Int], wholeShortCells: Bool
    ) {
        var headerWidth = [Int](repeating: 0, count: columns)
        var cellWidth = [Int](repeating: 0, count: columns)
        var shortFloor = [Int](repeating: 0, count: columns)
        var wordFloor = [Int](repeating: 0, count: columns)
        for (k, h) in header.enumerated() where k < columns {
            headerWidth[k] = twips(h, bold: true, points: points)
            wordFloor[k] = longestWord(h, bold: true, points: points)
        }
        for row in rows {
            for (k, text) in row.enumerated() where k < columns {
                cellWidth[k] = max(cellWidth[k], twips(text, points: points))
                shortFloor[k] = max(shortFloor[k], text.count <= shortCell ? twips(text, points: points) : longestWord(text, points: points))
                wordFloor[k] = max(wordFloor[k], longestWord(text, points: points))
            }
        }
        let words = wordFloor.map { $0 + cellMargins }
        let short = zip(shortFloor, words).map { max($0 + cellMargins, $1) }
        let cells = zip(cellWidth, short).map { max($0 + cellMargins, $1) }
        let all = zip(headerWidth, cells).map { max($0 + cellMargins, $1) }
        let widths: [Int]
        var whole = true
        if all.reduce(0, +) <= textWidth {
            widths = all
        } else if cells.reduce(0, +) <= textWidth {
            let room = textWidth - cells.reduce(0, +)
            let lacking = zip(all, cells).map { $0 - $1 }
            let totalLacking = max(lacking.reduce(0, +), 1)
            widths = zip(cells, lacking).map { $0 + $1 * room / totalLacking }
        } else if let capped = cap(want: cells, floor: short, width: textWidth) {
            widths = capped
        } else if let capped = cap(want: short, floor: words, width: textWidth) {
            (widths, whole) = (capped, false)
        } else {
            (widths, whole) = (words, false)
        }
        var scaled = widths.map { $0 * textWidth / max(widths.reduce(0, +), 1) }
        if let last = scaled.indices.last { scaled[last] += textWidth - scaled.reduce(0, +) }
        return (scaled, whole)
    }

    /// Each column at its `want` but no wider than the largest common cap that lets them all fit
    /// in `width`, and never under its `floor`; `nil` when the floors alone do not fit.
    static func cap(want: [Int], floor: [Int], width: Int) -> [Int]? {
        guard floor.reduce(0, +) <= width else { return nil }
        var (low, high) = (0, want.max() ?? 0)
        while low < high {
            let c = (low + high + 1) / 2
            let total = zip(want, floor).reduce(0) { $0 + max($1.1, min($1.0, c)) }
            if total <= width { low = c } else { high = c - 1 }
        }
        return zip(want, floor).map { max($0.1, min($0.0, low)) }
    }
}

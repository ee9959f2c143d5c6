/// A piece of a report: rendered to Markdown, HTML, CSV (tables) and SVG (figures).
public enum ReportBlock: Sendable, Hashable {
    case heading(String)
    case paragraph(String)
    case table(ReportTable)
    case figure(ReportFigure)
    /// The method checks an analysis raised (results' `warnings`): printed under the analysis and
    /// gathered again in the report's closing "Checks" section.
    case checks([ReportCheck])
}

/// One raised method check: its contract code (`ph_violated`, …) and the sentence for the reader.
public struct ReportCheck: Sendable, Hashable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A table of the report; also written as `<name>.csv`.
public struct ReportTable: Sendable, Hashable {
    public var name: String
    public var title: String
    public var header: [String]
    public var rows: [[ReportCell]]
    public var note: String?
    /// Columns (0-based) whose empty cells continue the cell above them, as Table 3 prints a
    /// variable's name on its first group row only: the Word report merges such a cell with the
    /// one above (`w:vMerge`); Markdown, HTML and CSV print the empty cell. Empty by default.
    public var continuingColumns: Set<Int>

    public init(
        name: String, title: String, header: [String], rows: [[ReportCell]], note: String? = nil, continuingColumns: Set<Int> = []
    ) {
        self.name = name
        self.title = title
        self.header = header
        self.rows = rows
        self.note = note
        self.continuingColumns = continuingColumns
    }
}

/// A cell: text, or a count that `min_cell` can suppress.
public enum ReportCell: Sendable, Hashable {
    case text(String)
    /// `n` or `n (p%)`; printed as `<min_cell` when 0 < n < min_cell.
    case count(Int, percent: Double?)

    /// The cell as printed, given the report's `min_cell`.
    public func rendered(minCell: Int) -> String {
        switch self {
        case .text(let s): return s
        case .count(let n, let percent):
            if minCell > 0 && n > 0 && n < minCell { return "<\(minCell)" }
            guard let percent else { return "\(n)" }
            return "\(n) (\(Format.fixed(percent, digits: 1))%)"
        }
    }
}

/// An SVG figure; also written as `<name>.svg`.
public struct ReportFigure: Sendable, Hashable {
    public var name: String
    public var title: String
    public var svg: String

    public init(name: String, title: String, svg: String) {
        self.name = name
        self.title = title
        self.svg = svg
    }
}

/// An error in a cohort export or in computing from it, naming where in the file it is.
///
/// Messages may quote a cell's value: they go to the error file beside a failed input and to
/// the person running `cohortd analyze`, never to the daemon's log (which logs only `code`).
public struct DataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable classification.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let unreadable = Code("unreadable")
        public static let emptyFile = Code("empty_file")
        public static let noRows = Code("no_rows")
        public static let invalidEncoding = Code("invalid_encoding")
        public static let missingColumn = Code("missing_column")
        public static let duplicateColumn = Code("duplicate_column")
        public static let raggedRow = Code("ragged_row")
        public static let unterminatedQuote = Code("unterminated_quote")
        public static let malformedQuote = Code("malformed_quote")
        public static let badValue = Code("bad_value")
        public static let unknownVariable = Code("unknown_variable")
        public static let typeMismatch = Code("type_mismatch")
        /// The file's size or modification time at the end of reading differs from what it was when
        /// it was claimed, or fewer or more bytes were read than its size: it changed while read.
        public static let changedDuringRead = Code("changed_during_read")
        /// read(2) failed with an I/O error (EIO and the like). Transient: the same file may read
        /// well on a later try, so the daemon retries it rather than failing it.
        public static let readFailed = Code("read_failed")
        /// A record (a line, or several when a quoted field holds line breaks) is longer than
        /// `input.max_record`.
        public static let recordTooLong = Code("record_too_long")
        /// A field is longer than `input.max_field`.
        public static let fieldTooLong = Code("field_too_long")
        /// A column name in the header is longer than `input.max_header_name`.
        public static let headerNameTooLong = Code("header_name_too_long")
        /// The header has more columns than `input.max_columns`.
        public static let tooManyColumns = Code("too_many_columns")
    }

    /// One bad cell.
    public struct Problem: Hashable, Sendable {
        public var line: Int
        public var column: String
        public var value: String
        public var reason: String
    }

    public var code: Code
    public var message: String
    /// 1-based line in the file, where it applies.
    public var line: Int?
    /// The column's name in the header, where it applies.
    public var column: String?
    /// The bad cells (at most 20) when several were found.
    public var problems: [Problem]

    public init(_ code: Code, _ message: String, line: Int? = nil, column: String? = nil, problems: [Problem] = []) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.problems = problems
    }

    public var description: String {
        var s = ""
        if let line { s += "line \(line)" }
        if let column { s += (s.isEmpty ? "" : ", ") + "column \(column)" }
        return (s.isEmpty ? "" : s + ": ") + message
    }
}

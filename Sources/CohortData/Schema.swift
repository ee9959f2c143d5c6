/// What a pipeline declares about an export: which columns to read, as which types, and how.

/// The type of a declared column.
public enum ColumnKind: String, Sendable, Hashable, CaseIterable, Codable {
    case id, number, integer, category, date, boolean
}

/// How a category column's file values become labels.
public struct CategoryLevels: Sendable, Hashable {
    /// File value → label, in display order; `nil`: levels in order of first appearance.
    public var mapping: [(value: String, label: String)]?
    /// Label for every value not in `mapping`; without it such a value is a bad value.
    public var other: String?

    public init(mapping: [(value: String, label: String)]? = nil, other: String? = nil) {
        self.mapping = mapping
        self.other = other
    }

    public static func == (a: CategoryLevels, b: CategoryLevels) -> Bool {
        a.other == b.other && a.mapping?.map { "\($0.value)\u{1}\($0.label)" } == b.mapping?.map { "\($0.value)\u{1}\($0.label)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(other)
        hasher.combine(mapping?.map { "\($0.value)\u{1}\($0.label)" })
    }

    /// Labels in display order (each once), with `other` last.
    public var labels: [String] {
        var result: [String] = []
        for (_, label) in mapping ?? [] where !result.contains(label) { result.append(label) }
        if let other, !result.contains(other) { result.append(other) }
        return result
    }
}

/// One declared column.
public struct ColumnSpec: Sendable, Hashable {
    public var name: String
    public var kind: ColumnKind
    public var levels: CategoryLevels
    /// Date patterns tried in order (Unicode style: `yyyy-MM-dd`, `dd.MM.yyyy`, …).
    public var dateFormats: [String]
    public var trueTokens: [String]
    public var falseTokens: [String]
    /// `false`: the column may be absent from the file (then all missing).
    public var required: Bool

    public init(
        name: String, kind: ColumnKind, levels: CategoryLevels = CategoryLevels(),
        dateFormats: [String] = ["yyyy-MM-dd"], trueTokens: [String] = ["1", "true", "yes", "TRUE", "Yes", "y"],
        falseTokens: [String] = ["0", "false", "no", "FALSE", "No", "n"], required: Bool = true
    ) {
        self.name = name
        self.kind = kind
        self.levels = levels
        self.dateFormats = dateFormats
        self.trueTokens = trueTokens
        self.falseTokens = falseTokens
        self.required = required
    }
}

/// How the export is encoded.
public struct InputOptions: Sendable, Hashable {
    public enum Encoding: String, Sendable, Hashable, CaseIterable, Codable {
        case utf8 = "utf-8"
        case windows1252 = "windows-1252"
        case iso88591 = "iso-8859-1"
    }

    public enum OnError: String, Sendable, Hashable, CaseIterable, Codable {
        /// A bad value fails the file.
        case reject
        /// A bad value becomes missing and is counted.
        case missing
    }

    /// `nil`: detected among `,` `;` tab `|` from the header line.
    public var delimiter: UInt8?
    public var encoding: Encoding
    public var decimalComma: Bool
    public var missing: [String]
    public var onError: OnError
    /// Bounds on what one record may hold, so that a hostile file fails in bounded time and memory.
    public var limits: InputLimits

    public init(
        delimiter: UInt8? = nil, encoding: Encoding = .utf8, decimalComma: Bool = false,
        missing: [String] = ["", "NA", "N/A", "."], onError: OnError = .reject, limits: InputLimits = InputLimits()
    ) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.decimalComma = decimalComma
        self.missing = missing
        self.onError = onError
        self.limits = limits
    }
}

/// Size limits checked while the export is read (pipeline `input:` keys `max_record`,
/// `max_field`, `max_header_name`, `max_columns`). Each
/// violation fails the file at once with its own code, naming the line (and column when known);
/// the reader never holds more than `maxRecordBytes` plus one chunk of the file.
public struct InputLimits: Sendable, Hashable {
    /// `max_record`: bytes of one record, its line break included (a quoted field may make
    /// a record span lines). Default 1 MiB. Code `record_too_long`.
    public var maxRecordBytes: Int
    /// `max_field`: bytes of one field (quotes included). Default 64 KiB. Code `field_too_long`.
    public var maxFieldBytes: Int
    /// `max_header_name`: bytes of one column name in the header. Default 1 KiB.
    /// Code `header_name_too_long`.
    public var maxHeaderNameBytes: Int
    /// `max_columns`: columns in the header. Default 100,000 (the contract's: wide genomic or lab
    /// exports reach tens of thousands; the record limit bounds the memory a header takes
    /// anyway). Code `too_many_columns`.
    public var maxColumns: Int

    public static let defaultMaxRecordBytes = 1 << 20
    public static let defaultMaxFieldBytes = 64 << 10
    public static let defaultMaxHeaderNameBytes = 1 << 10
    public static let defaultMaxColumns = 100_000

    public init(
        maxRecordBytes: Int = defaultMaxRecordBytes, maxFieldBytes: Int = defaultMaxFieldBytes,
        maxHeaderNameBytes: Int = defaultMaxHeaderNameBytes, maxColumns: Int = defaultMaxColumns
    ) {
        self.maxRecordBytes = maxRecordBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxHeaderNameBytes = maxHeaderNameBytes
        self.maxColumns = maxColumns
    }
}

/// A column's values in typed, contiguous storage.
public enum ColumnData: Sendable, Hashable {
    /// Identifiers, kept as text.
    case id([String])
    /// Numbers (also integer columns); NaN = missing.
    case number([Double])
    /// Codes into `levels`; −1 = missing (stored one byte per row for up to 255 levels).
    case category(codes: CategoryCodes, levels: [String])
    /// Days since 1970-01-01; `Int32.min` = missing.
    case date([Int32])
    /// 1 = true, 0 = false, −1 = missing.
    case boolean([Int8])

    public static let missingDate = Int32.min

    public var count: Int {
        switch self {
        case .id(let v): return v.count
        case .number(let v): return v.count
        case .category(let c, _): return c.count
        case .date(let v): return v.count
        case .boolean(let v): return v.count
        }
    }

    /// Whether row `i` is missing.
    public func isMissing(_ i: Int) -> Bool {
        switch self {
        case .id(let v): return v[i].isEmpty
        case .number(let v): return v[i].isNaN
        case .category(let c, _): return c[i] < 0
        case .date(let v): return v[i] == Self.missingDate
        case .boolean(let v): return v[i] < 0
        }
    }

    /// The rows at `indices`, in that order.
    public func gather(_ indices: [Int]) -> ColumnData {
        switch self {
        case .id(let v): return .id(indices.map { v[$0] })
        case .number(let v): return .number(indices.map { v[$0] })
        case .category(let c, let levels): return .category(codes: c.gather(indices), levels: levels)
        case .date(let v): return .date(indices.map { v[$0] })
        case .boolean(let v): return .boolean(indices.map { v[$0] })
        }
    }
}

/// A typed column of a table.
public struct Column: Sendable, Hashable {
    public var name: String
    public var kind: ColumnKind
    public var data: ColumnData
    /// Bad values turned into missing under `on_error: missing`.
    public var badValues: Int
    /// For a category: the file values that map to each level (by code), so that a value compared
    /// with the column matches either the file's value or its label.
    public var aliases: [[String]]

    public init(name: String, kind: ColumnKind, data: ColumnData, badValues: Int = 0, aliases: [[String]] = []) {
        self.name = name
        self.kind = kind
        self.data = data
        self.badValues = badValues
        self.aliases = aliases
    }

    /// Numbers as doubles: numbers and integers as they are, booleans as 1/0, dates as day numbers.
    public var numbers: [Double]? {
        switch data {
        case .number(let v): return v
        case .boolean(let v): return v.map { $0 < 0 ? .nan : Double($0) }
        case .date(let v): return v.map { $0 == ColumnData.missingDate ? .nan : Double($0) }
        case .id, .category: return nil
        }
    }

    /// Codes and level labels for a grouping: categories as they are; booleans as "yes"/"no"
    /// (codes 0/1, one byte per row).
    public var groups: (codes: CategoryCodes, levels: [String])? {
        switch data {
        case .category(let c, let levels): return (c, levels)
        case .boolean(let v): return (CategoryCodes(yesNo: v), ["yes", "no"])
        default: return nil
        }
    }
}

/// A columnar table: the declared and derived columns of an export, in declaration order.
public struct Table: Sendable, Hashable {
    public private(set) var rowCount: Int
    public private(set) var columns: [Column]

    public init(rowCount: Int, columns: [Column] = []) {
        self.rowCount = rowCount
        self.columns = columns
    }

    public subscript(name: String) -> Column? { columns.first { $0.name == name } }

    /// Adds or replaces a column (it must have `rowCount` rows).
    public mutating func set(_ column: Column) {
        precondition(column.data.count == rowCount, "column length differs from the table's")
        if let i = columns.firstIndex(where: { $0.name == column.name }) { columns[i] = column } else { columns.append(column) }
    }

    /// Keeps only the rows at `indices`, in that order, replacing one column at a time (each old
    /// column is released as its replacement is made, when this table held it alone).
    public mutating func keepRows(_ indices: [Int]) {
        for k in columns.indices {
            let gathered = columns[k].data.gather(indices)
            columns[k].data = gathered
        }
        rowCount = indices.count
    }

    /// The rows at `indices`.
    public func gather(_ indices: [Int]) -> Table {
        Table(
            rowCount: indices.count,
            columns: columns.map {
                Column(name: $0.name, kind: $0.kind, data: $0.data.gather(indices), badValues: $0.badValues, aliases: $0.aliases)
            })
    }
}

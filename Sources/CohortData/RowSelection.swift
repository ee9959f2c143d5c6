/// The rows of a table that an analysis uses, in ascending order: every row, stored as a count,
/// or a subset, stored as indices.
///
/// An export without missing outcomes (the usual case) then costs no index array, and the values
/// of a column for its rows are the column's own storage (``gather(_:)`` shares it, not copies
/// it): at ten million rows, 80 MB fewer for the index and as much again for each column read.
///
/// Requirements: `self[k]` is the table row of subject `k`; the rows ascend; ``gather(_:)``
/// gives `values[self[k]]` for each `k`.
public struct RowSelection: RandomAccessCollection, Sendable, Hashable {
    enum Storage: Sendable, Hashable {
        case all(Int)
        case some([Int])
    }

    let storage: Storage

    /// Every row of a table of `count` rows.
    public static func all(_ count: Int) -> RowSelection { RowSelection(storage: .all(Swift.max(0, count))) }

    /// The rows at `rows` (ascending table indices).
    public init(_ rows: [Int]) { storage = .some(rows) }

    private init(storage: Storage) { self.storage = storage }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .all(let count): return count
        case .some(let rows): return rows.count
        }
    }

    /// The table row of subject `k`.
    @inline(__always)
    public subscript(k: Int) -> Int {
        switch storage {
        case .all: return k
        case .some(let rows): return rows[k]
        }
    }

    /// Whether this is every row of the table, row `k` being subject `k`.
    public var isAll: Bool {
        if case .all = storage { return true }
        return false
    }

    /// `values[self[k]]` for each subject `k`: `values` itself when every row is selected (the
    /// same storage, not a copy).
    public func gather<Value>(_ values: [Value]) -> [Value] {
        switch storage {
        case .all: return values
        case .some(let rows): return values.withUnsafeBufferPointer { v in rows.map { v[$0] } }
        }
    }

    /// The subjects at `positions` (ascending indices into this selection), as table rows.
    public func subset(_ positions: [Int]) -> RowSelection {
        switch storage {
        case .all(let count) where positions.count == count: return self
        case .all: return RowSelection(positions)
        case .some(let rows): return RowSelection(positions.map { rows[$0] })
        }
    }
}

/// The level codes of a category column, one per row (`0..<levels.count`, −1 = missing), stored
/// as narrow as the level count allows: one byte per row for up to 255 levels, two bytes for up
/// to 65,535, four beyond.
///
/// Why: a registry export's category columns have a handful of levels, and four bytes per row
/// for them was most of the table (40 MB per column at 10 million rows). Read as a collection of
/// `Int32` codes, the narrow storage behaves exactly as the `[Int32]` it replaces: the same
/// codes, −1 for every missing row; equality compares the codes, not how they are stored.
public struct CategoryCodes: RandomAccessCollection, Sendable, Hashable, ExpressibleByArrayLiteral {
    /// The rows' codes; in the unsigned widths the type's largest value (`.max`) is missing, so
    /// one byte holds codes `0...254`, two bytes `0...65_534`.
    @usableFromInline
    enum Storage: Sendable {
        case narrow([UInt8])
        case medium([UInt16])
        case wide([Int32])
    }

    @usableFromInline
    let storage: Storage

    @usableFromInline
    init(storage: Storage) { self.storage = storage }

    /// No rows.
    public init() { storage = .narrow([]) }

    /// The codes `codes` (any negative code is missing, read back as −1) of a column with
    /// `levelCount` levels, stored in the narrowest width that holds `levelCount` levels (and
    /// every code given, should one not be below `levelCount`).
    public init(_ codes: [Int32], levelCount: Int) {
        let needed = Swift.max(levelCount, Int(codes.max() ?? -1) + 1)
        switch Self.bytesPerCode(levelCount: needed) {
        case 1: storage = .narrow(codes.map(Self.narrowed))
        case 2: storage = .medium(codes.map(Self.narrowed))
        default: storage = .wide(codes.contains { $0 < -1 } ? codes.map { Swift.max($0, -1) } : codes)
        }
    }

    /// Codes written out (−1 = missing), stored as narrow as the largest of them allows.
    public init(arrayLiteral elements: Int32...) { self.init(elements, levelCount: 0) }

    /// A boolean column (1 true, 0 false, −1 missing) as codes of the levels `["yes", "no"]`:
    /// true 0, false 1, missing −1 (one byte per row).
    init(yesNo flags: [Int8]) {
        storage = .narrow(flags.map { $0 < 0 ? UInt8.max : ($0 == 1 ? 0 : 1) })
    }

    /// Bytes per row of the storage for `levelCount` levels: 1 up to 255 levels, 2 up to 65,535, else 4.
    public static func bytesPerCode(levelCount: Int) -> Int {
        levelCount <= Int(UInt8.max) ? 1 : (levelCount <= Int(UInt16.max) ? 2 : 4)
    }

    /// Bytes per row of this storage (1, 2 or 4).
    public var bytesPerCode: Int {
        switch storage {
        case .narrow: return 1
        case .medium: return 2
        case .wide: return 4
        }
    }

    /// A code in an unsigned width: missing (negative) is the width's largest value.
    @inline(__always)
    static func narrowed<T: FixedWidthInteger & UnsignedInteger>(_ code: Int32) -> T {
        code < 0 ? T.max : T(truncatingIfNeeded: code)
    }

    /// A stored unsigned code as an `Int32` code (the width's largest value is −1, missing).
    @inlinable @inline(__always)
    static func widened<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> Int32 {
        value == T.max ? -1 : Int32(truncatingIfNeeded: value)
    }

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int {
        switch storage {
        case .narrow(let a): return a.count
        case .medium(let a): return a.count
        case .wide(let a): return a.count
        }
    }

    /// The code of row `position` (−1 = missing).
    @inlinable
    public subscript(position: Int) -> Int32 {
        switch storage {
        case .narrow(let a): return Self.widened(a[position])
        case .medium(let a): return Self.widened(a[position])
        case .wide(let a): return a[position]
        }
    }

    /// The rows at `rows`, in that order, in the same width (what `Table.gather` keeps).
    public func gather(_ rows: [Int]) -> CategoryCodes {
        switch storage {
        case .narrow(let a): return CategoryCodes(storage: .narrow(rows.map { a[$0] }))
        case .medium(let a): return CategoryCodes(storage: .medium(rows.map { a[$0] }))
        case .wide(let a): return CategoryCodes(storage: .wide(rows.map { a[$0] }))
        }
    }

    /// The codes of the rows at `rows`, in that order, as `Int32` (−1 = missing): the same as
    /// `rows.map { self[$0] }`, with one loop per width.
    public func codes(at rows: [Int]) -> [Int32] {
        switch storage {
        case .narrow(let a): return rows.map { Self.widened(a[$0]) }
        case .medium(let a): return rows.map { Self.widened(a[$0]) }
        case .wide(let a): return rows.map { a[$0] }
        }
    }

    /// The codes of the subjects of `rows`, as `Int32` (−1 = missing): every row's codes widened
    /// in one sequential pass, or those of a subset of rows.
    public func codes(at rows: RowSelection) -> [Int32] {
        if case .some(let indices) = rows.storage { return codes(at: indices) }
        switch storage {
        case .narrow(let a): return a.map(Self.widened)
        case .medium(let a): return a.map(Self.widened)
        case .wide(let a): return a
        }
    }

    /// The one-byte storage (255 = missing), `nil` when the codes are wider: what a routine that
    /// reads codes in random order reads fastest (a quarter of the memory of `Int32` codes).
    public var bytes: [UInt8]? {
        if case .narrow(let a) = storage { return a }
        return nil
    }

    /// How many rows have each code `0..<levelCount`, and how many are missing; `nil` when some
    /// code is not below `levelCount`. One pass without a branch per row in the unsigned widths.
    public func levelCounts(_ levelCount: Int) -> (counts: [Int], missing: Int)? {
        switch storage {
        case .narrow(let a): return Self.tally(a, levelCount: levelCount)
        case .medium(let a): return Self.tally(a, levelCount: levelCount)
        case .wide(let a):
            var counts = [Int](repeating: 0, count: Swift.max(0, levelCount))
            var missing = 0
            for c in a {
                if c < 0 {
                    missing += 1
                } else if Int(c) < levelCount {
                    counts[Int(c)] += 1
                } else {
                    return nil
                }
            }
            return (counts, missing)
        }
    }

    /// Counts of every value of an unsigned width in a table of all its values, then the levels'.
    private static func tally<T: FixedWidthInteger & UnsignedInteger>(_ values: [T], levelCount: Int) -> (counts: [Int], missing: Int)? {
        let missingValue = Int(T.max)
        var table = [Int](repeating: 0, count: missingValue + 1)
        table.withUnsafeMutableBufferPointer { t in
            for v in values { t[Int(v)] += 1 }
        }
        let levels = Swift.max(0, Swift.min(levelCount, missingValue))
        guard table[levels..<missingValue].allSatisfy({ $0 == 0 }) else { return nil }
        var counts = Array(table[0..<levels])
        if levelCount > levels { counts += repeatElement(0, count: levelCount - levels) }
        return (counts, table[missingValue])
    }

    public static func == (lhs: CategoryCodes, rhs: CategoryCodes) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.narrow(let a), .narrow(let b)): return a == b
        case (.medium(let a), .medium(let b)): return a == b
        case (.wide(let a), .wide(let b)): return a == b
        default: return lhs.elementsEqual(rhs)
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for code in self { hasher.combine(code) }
    }
}

/// A category column's codes appended chunk by chunk while a file is read, written straight into
/// the narrowest storage the levels seen so far allow (see ``CategoryCodes``): one byte per row
/// until a chunk brings the 256th level, then two bytes (the rows so far converted once), four
/// past 65,535 levels. The finished codes are the arrays written, not a copy.
struct CategoryCodesBuilder {
    private var narrow: [UInt8] = []
    private var medium: [UInt16] = []
    private var wide: [Int32] = []
    private var bytesPerCode = 1
    /// The rows asked for by ``reserve(_:)`` (kept when the storage is widened).
    private var reserved = 0

    var count: Int {
        switch bytesPerCode {
        case 1: return narrow.count
        case 2: return medium.count
        default: return wide.count
        }
    }

    /// Room for `rows` codes in all, in the current width.
    mutating func reserve(_ rows: Int) {
        reserved = max(reserved, rows)
        switch bytesPerCode {
        case 1: narrow.reserveCapacity(rows)
        case 2: medium.reserveCapacity(rows)
        default: wide.reserveCapacity(rows)
        }
    }

    /// Appends `codes` (−1 = missing), each replaced by `remap[code]` when `remap` is given, for a
    /// column that now has `levelCount` levels (every appended code is below it).
    mutating func append(_ codes: UnsafeBufferPointer<Int32>, remap: UnsafeBufferPointer<Int32>?, levelCount: Int) {
        let needed = CategoryCodes.bytesPerCode(levelCount: levelCount)
        if needed > bytesPerCode { widen(to: needed, more: codes.count) }
        switch bytesPerCode {
        case 1: Self.append(codes, remap: remap, to: &narrow)
        case 2: Self.append(codes, remap: remap, to: &medium)
        default:
            wide.makeRoom(for: codes.count)
            if let remap {
                for code in codes { wide.append(code < 0 ? -1 : remap[Int(code)]) }
            } else {
                for code in codes { wide.append(max(code, -1)) }
            }
        }
    }

    private static func append<T: FixedWidthInteger & UnsignedInteger>(
        _ codes: UnsafeBufferPointer<Int32>, remap: UnsafeBufferPointer<Int32>?, to array: inout [T]
    ) {
        array.makeRoom(for: codes.count)
        if let remap {
            for code in codes { array.append(code < 0 ? T.max : T(truncatingIfNeeded: remap[Int(code)])) }
        } else {
            for code in codes { array.append(CategoryCodes.narrowed(code)) }
        }
    }

    /// Moves the codes so far into the storage of `bytes` per code (room kept for the rows
    /// reserved, or for `more` beyond those held), releasing the narrower one.
    private mutating func widen(to bytes: Int, more: Int) {
        let capacity = max(reserved, count + more)
        if bytes == 2 {
            medium.reserveCapacity(capacity)
            medium.append(contentsOf: narrow.lazy.map { CategoryCodes.narrowed(CategoryCodes.widened($0)) })
        } else {
            wide.reserveCapacity(capacity)
            if bytesPerCode == 1 {
                wide.append(contentsOf: narrow.lazy.map { CategoryCodes.widened($0) })
            } else {
                wide.append(contentsOf: medium.lazy.map { CategoryCodes.widened($0) })
            }
            medium = []
        }
        narrow = []
        bytesPerCode = bytes
    }

    /// The codes appended.
    var codes: CategoryCodes {
        switch bytesPerCode {
        case 1: return CategoryCodes(storage: .narrow(narrow))
        case 2: return CategoryCodes(storage: .medium(medium))
        default: return CategoryCodes(storage: .wide(wide))
        }
    }
}

extension Array {
    /// Grows the capacity by a quarter when `more` elements do not fit (instead of doubling).
    mutating func makeRoom(for more: Int) {
        let needed = count + more
        if needed > capacity { reserveCapacity(Swift.max(needed, count + count / 4)) }
    }
}

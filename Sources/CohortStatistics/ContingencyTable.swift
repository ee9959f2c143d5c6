/// A two-way table of counts (rows: the variable's levels, columns: the groups).
///
/// Why a type: Table 1's categorical tests (chi-square, Fisher) and the sparse-cell check all
/// read the same table; R builds it with every declared level, so a level that never occurs is a
/// row of zeros here too.
public struct ContingencyTable: Sendable, Hashable {
    public let rowCount: Int
    public let columnCount: Int
    /// Row-major counts.
    public let counts: [Int]

    /// Counts the pairs (row code, column code); a negative code (missing) or one out of range
    /// is left out.
    public init(rows: [Int32], columns: [Int32], rowCount: Int, columnCount: Int) {
        var counts = [Int](repeating: 0, count: rowCount * columnCount)
        for (r, c) in zip(rows, columns) where r >= 0 && c >= 0 && Int(r) < rowCount && Int(c) < columnCount {
            counts[Int(r) * columnCount + Int(c)] += 1
        }
        self.init(counts: counts, rowCount: rowCount, columnCount: columnCount)
    }

    /// A table from row-major counts (`counts.count` must be rowCount × columnCount; otherwise
    /// the table is empty).
    public init(counts: [Int], rowCount: Int, columnCount: Int) {
        let ok = counts.count == rowCount * columnCount && rowCount >= 0 && columnCount >= 0
        self.rowCount = ok ? rowCount : 0
        self.columnCount = ok ? columnCount : 0
        self.counts = ok ? counts : []
    }

    public subscript(row: Int, column: Int) -> Int { counts[row * columnCount + column] }

    public var rowSums: [Int] { (0..<rowCount).map { r in (0..<columnCount).reduce(0) { $0 + self[r, $1] } } }
    public var columnSums: [Int] { (0..<columnCount).map { c in (0..<rowCount).reduce(0) { $0 + self[$1, c] } } }
    public var total: Int { counts.reduce(0, +) }

    /// Expected counts under independence, row-major: rᵢ cⱼ / n (all 0 for an empty table).
    public var expected: [Double] {
        let n = Double(total)
        let r = rowSums
        let c = columnSums
        var e: [Double] = []
        e.reserveCapacity(counts.count)
        for i in 0..<rowCount {
            for j in 0..<columnCount { e.append(n > 0 ? Double(r[i]) * Double(c[j]) / n : 0) }
        }
        return e
    }

    /// Whether some expected count is below `limit` (gtsummary's and the `sparse_expected` rule: 5).
    public func hasExpectedBelow(_ limit: Double) -> Bool { expected.contains { $0 < limit } }
}

/// Pearson's chi-square test of independence (R's `chisq.test(table, correct = )`).
public enum ContingencyChiSquare {
    /// X² = Σ (|x − E| − Y)²/E with df (r − 1)(c − 1); Yates' Y = min(0.5, minᵢⱼ |x − E|) only when
    /// `correct` and the table is 2 × 2 (as R applies it), else 0.
    ///
    /// - Throws: `empty_group` when a row or column of the table is empty (an expected count is
    ///   0: R's X² is NaN); `too_few_groups` for a table with fewer than two rows or columns.
    public static func test(_ table: ContingencyTable, correct: Bool) throws -> HypothesisTest {
        guard table.rowCount >= 2, table.columnCount >= 2 else {
            throw StatisticsError(.tooFewGroups, "the table needs at least two rows and two columns")
        }
        let expected = table.expected
        guard expected.allSatisfy({ $0 > 0 }) else {
            throw StatisticsError(.emptyGroup, "a level or a group has no observations (an expected count is 0)")
        }
        var yates = 0.0
        if correct && table.rowCount == 2 && table.columnCount == 2 {
            yates = 0.5
            for (x, e) in zip(table.counts, expected) { yates = min(yates, abs(Double(x) - e)) }
        }
        var statistic = 0.0
        for (x, e) in zip(table.counts, expected) {
            let d = abs(Double(x) - e) - yates
            statistic += d * d / e
        }
        let df = Double((table.rowCount - 1) * (table.columnCount - 1))
        return try HypothesisTest.finite(
            statistic: statistic, df: [df], p: ChiSquared.upperTail(statistic, df: df), what: "the chi-square statistic")
    }
}

import CohortData
import CohortPluginAPI

/// The strata of a stratified log-rank test: each subject's combination of the stratum columns'
/// levels, as R's `interaction(dd[, strata], drop = TRUE)` (combinations no subject has are not
/// strata; the first column varies fastest, as in R's level order).
struct LogRankStrata: Sendable {
    /// A stratum code `0..<count` per subject of `rows`, `-1` where a stratum column is missing;
    /// `nil` when the test is not stratified.
    let codes: [Int32]?
    /// The number of strata formed over all the rows.
    let count: Int

    /// Builds the strata of `columns` for the subjects `rows`.
    init(_ columns: [String], input: AnalysisInput, rows: RowSelection) throws {
        guard !columns.isEmpty else {
            codes = nil
            count = 1
            return
        }
        // Dense renumbering, column by column from the last to the first: `combined` numbers
        // the combinations of the columns seen so far that occur, in R's level order (the
        // first column fastest = the last column slowest); each step pairs it with the next
        // column's code and renumbers the pairs that occur. No code exceeds the number of
        // subjects, so nothing can overflow, and no subject is hashed.
        var combined = [Int32](repeating: 0, count: rows.count)
        var formed = 1
        for column in columns.reversed() {
            let (c, levels) = try input.groups(column, rows: rows)
            (combined, formed) = Self.renumber(major: combined, majorCount: formed, minor: c, minorCount: levels.count)
        }
        codes = combined
        count = max(formed, 1)
    }

    /// Numbers the pairs (`major`, `minor`) that occur `0..<count` in lexicographic order
    /// (`major` first); a negative code in either gives −1.
    ///
    /// A table over all pairs when it is small (at most 4 entries per subject), else a stable
    /// counting sort of the subjects by `minor`, then by `major`, numbering each new pair.
    static func renumber(major: [Int32], majorCount: Int, minor: [Int32], minorCount: Int) -> ([Int32], Int) {
        let n = major.count
        var result = [Int32](repeating: -1, count: n)
        let valid = { (i: Int) -> Bool in
            i < minor.count && major[i] >= 0 && Int(major[i]) < majorCount && minor[i] >= 0 && Int(minor[i]) < minorCount
        }
        var formed = 0
        let (cells, overflow) = majorCount.multipliedReportingOverflow(by: max(minorCount, 1))
        if !overflow, cells <= max(4 * n, 1 << 16) {
            var table = [Int32](repeating: -1, count: cells)
            for i in 0..<n where valid(i) { table[Int(major[i]) * minorCount + Int(minor[i])] = 0 }
            for key in table.indices where table[key] == 0 {
                table[key] = Int32(formed)
                formed += 1
            }
            for i in 0..<n where valid(i) { result[i] = table[Int(major[i]) * minorCount + Int(minor[i])] }
            return (result, formed)
        }
        // Both keys are below n here (dense codes, and levels that occur are at most n), but the
        // buckets are sized by the counts as given.
        func countingSort(_ items: [Int32], by key: [Int32], buckets: Int) -> [Int32] {
            var starts = [Int](repeating: 0, count: buckets + 1)
            for i in items { starts[Int(key[Int(i)]) + 1] += 1 }
            for b in 0..<buckets { starts[b + 1] += starts[b] }
            var out = [Int32](repeating: 0, count: items.count)
            for i in items {
                let b = Int(key[Int(i)])
                out[starts[b]] = i
                starts[b] += 1
            }
            return out
        }
        var items: [Int32] = []
        items.reserveCapacity(n)
        for i in 0..<n where valid(i) { items.append(Int32(i)) }
        let order = countingSort(countingSort(items, by: minor, buckets: minorCount), by: major, buckets: majorCount)
        var previous: (Int32, Int32)? = nil
        for i in order {
            let key = (major[Int(i)], minor[Int(i)])
            if let p = previous, p == key {
                result[Int(i)] = Int32(formed - 1)
            } else {
                result[Int(i)] = Int32(formed)
                formed += 1
                previous = key
            }
        }
        return (result, formed)
    }

    /// The number of strata among the subjects whose group code is not negative.
    func present(among groupCodes: [Int32]) -> Int {
        guard let codes else { return 1 }
        var seen = [Bool](repeating: false, count: count)
        for i in codes.indices where i < groupCodes.count && groupCodes[i] >= 0 && codes[i] >= 0 && Int(codes[i]) < count {
            seen[Int(codes[i])] = true
        }
        return seen.filter { $0 }.count
    }
}

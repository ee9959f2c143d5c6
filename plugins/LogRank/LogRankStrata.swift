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
    init(_ columns: [String], input: AnalysisInput, rows: [Int]) throws {
        guard !columns.isEmpty else {
            codes = nil
            count = 1
            return
        }
        var combined = [Int](repeating: 0, count: rows.count)
        var missing = [Bool](repeating: false, count: rows.count)
        var stride = 1
        for column in columns {
            let (c, levels) = try input.groups(column, rows: rows)
            for i in c.indices {
                if c[i] < 0 { missing[i] = true } else { combined[i] += Int(c[i]) * stride }
            }
            let (product, overflow) = stride.multipliedReportingOverflow(by: max(levels.count, 1))
            guard !overflow else { throw AnalysisError(.emptyInput, "the strata columns have too many combinations of levels") }
            stride = product
        }
        // Compact the combinations present to 0..<count in the order of their combined code
        // (a table over all combinations when it is small, else a dictionary of those present).
        var result = [Int32](repeating: -1, count: rows.count)
        var formed = 0
        if stride <= 1 << 22 {
            var table = [Int32](repeating: -1, count: stride)
            for i in combined.indices where !missing[i] && combined[i] < stride { table[combined[i]] = 0 }
            for key in table.indices where table[key] == 0 {
                table[key] = Int32(formed)
                formed += 1
            }
            for i in combined.indices where !missing[i] && combined[i] < stride { result[i] = table[combined[i]] }
        } else {
            var present = Set<Int>()
            for i in combined.indices where !missing[i] { present.insert(combined[i]) }
            var index: [Int: Int32] = [:]
            for (k, key) in present.sorted().enumerated() { index[key] = Int32(k) }
            formed = index.count
            for i in combined.indices where !missing[i] { result[i] = index[combined[i]] ?? -1 }
        }
        codes = result
        count = max(formed, 1)
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

/// Summary of a numeric variable, as R's `median`, `quantile(type = 7)`, `mean` and `sd` give it.
///
/// NaN marks a missing value. Every statistic is `nil` when there are no non-missing values;
/// `sd` also when there is only one.
public struct ContinuousSummary: Sendable, Hashable {
    public var count: Int
    public var missing: Int
    public var median: Double?
    public var minimum: Double?
    public var maximum: Double?
    /// First and third quartiles, R's default `quantile` (type 7).
    public var firstQuartile: Double?
    public var thirdQuartile: Double?
    public var mean: Double?
    /// Sample standard deviation (denominator n − 1).
    public var standardDeviation: Double?

    /// Summarises `values`; NaN entries count as missing. Infinite values are treated as
    /// observed (callers reject them earlier; they never appear in cohortd's typed columns).
    public init(_ values: [Double]) {
        self.init(values, counting: values.count >= RadixSort.countingMinimum)
    }

    /// The same, counting distinct values first only when `counting` (tests compare both ways).
    ///
    /// A large sample whose values take at most ``RadixSort/countingLimit`` distinct ones (ages,
    /// sizes to a millimetre) has its order statistics read off the counts of its distinct
    /// values, in a fixed table; otherwise its values are copied as radix-sort keys and the
    /// ranks found by selection (``OrderStatistics``), not by sorting. Both give the same values.
    init(_ values: [Double], counting: Bool) {
        var table = counting ? DistinctKeys() : nil
        var present = 0
        if table != nil {
            for v in values where !v.isNaN {
                present += 1
                if table?.add(RadixSort.key(v)) != true {
                    table = nil
                    break
                }
            }
        }
        let runs = table?.sortedRuns()
        var keys: [UInt64] = []
        if runs == nil {
            keys.reserveCapacity(values.count)
            for v in values where !v.isNaN { keys.append(RadixSort.key(v)) }
            present = keys.count
        }
        count = present
        missing = values.count - present
        guard count > 0 else { return }
        // Two passes, as R's mean(): the sum, then a correction for rounding in it (over the
        // non-missing values in input order).
        var sum = 0.0
        for v in values where !v.isNaN { sum += v }
        var m = sum / Double(count)
        var correction = 0.0
        for v in values where !v.isNaN { correction += v - m }
        m += correction / Double(count)
        mean = m
        if count > 1 {
            var squares = 0.0
            for v in values where !v.isNaN { squares += (v - m) * (v - m) }
            standardDeviation = (squares / Double(count - 1)).squareRoot()
        }
        let ranks = Self.ranks(count: count)
        let found: [Double]
        if let runs {
            found = ranks.map { rank in
                var below = 0
                for run in runs {
                    below += run.first
                    if rank < below { return RadixSort.value(ofKey: run.key) }
                }
                return .nan
            }
        } else {
            found = OrderStatistics.select(ranks, in: &keys).map(RadixSort.value(ofKey:))
        }
        var at: [Int: Double] = [:]
        for (rank, value) in zip(ranks, found) { at[rank] = value }
        func value(_ rank: Int) -> Double { at[rank] ?? .nan }
        minimum = value(0)
        maximum = value(count - 1)
        median = count % 2 == 1 ? value(count / 2) : (value(count / 2 - 1) + value(count / 2)) / 2
        firstQuartile = Self.quantile(p: 0.25, count: count, value)
        thirdQuartile = Self.quantile(p: 0.75, count: count, value)
    }

    /// The ranks a summary reads: the extremes, the middle one or two, and the two ranks each
    /// quartile interpolates between.
    private static func ranks(count n: Int) -> [Int] {
        var all = [0, n - 1, n / 2]
        if n % 2 == 0 { all.append(n / 2 - 1) }
        for p in [0.25, 0.75] {
            let index = Double(n - 1) * p
            all.append(Int(index.rounded(.down)))
            all.append(Int(index.rounded(.up)))
        }
        return all
    }

    /// R's `quantile(x, p, type = 7)`: h = (n − 1)p, interpolating between order statistics
    /// floor(h) and ceiling(h) as `(1 − f)·x[lo] + f·x[hi]`; `value(r)` is the rank-r value.
    private static func quantile(p: Double, count n: Int, _ value: (Int) -> Double) -> Double {
        let index = Double(n - 1) * p
        let lo = Int(index.rounded(.down))
        let hi = Int(index.rounded(.up))
        let low = value(lo)
        let fraction = index - Double(lo)
        guard fraction > 0, value(hi) != low else { return low }
        return (1 - fraction) * low + fraction * value(hi)
    }

    /// R's `quantile(x, p, type = 7)` of ascending `sorted`.
    static func quantile(sorted: [Double], _ p: Double) -> Double {
        quantile(p: p, count: sorted.count) { sorted[$0] }
    }

    /// R's `median` of ascending `sorted`: the middle value, or the mean of the two middle values.
    static func median(sorted: [Double]) -> Double {
        let n = sorted.count
        let half = n / 2
        return n % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2
    }
}

/// Counts of a categorical variable's levels, with percentages of the non-missing values.
public struct CategoricalSummary: Sendable, Hashable {
    public struct Level: Sendable, Hashable {
        public var code: Int
        public var count: Int
        /// 100 × count / non-missing count; `nil` when nothing is non-missing.
        public var percent: Double?
    }

    public var count: Int
    public var missing: Int
    /// One entry per code `0..<levelCount`, in code order (levels that do not occur have 0).
    public var levels: [Level]

    /// Counts integer codes `0..<levelCount`; a negative code is missing.
    ///
    /// - Throws: `invalid_parameter` for a code ≥ `levelCount`.
    public init(codes: [Int32], levelCount: Int) throws {
        var counts = [Int](repeating: 0, count: levelCount)
        var missing = 0
        for (i, c) in codes.enumerated() {
            if c < 0 {
                missing += 1
                continue
            }
            guard Int(c) < levelCount else {
                throw StatisticsError(.invalidParameter, "level code \(c) of observation \(i + 1) is not below the number of levels (\(levelCount))")
            }
            counts[Int(c)] += 1
        }
        self.init(counts: counts, missing: missing)
    }

    /// From counts already made: `counts[code]` rows have level `code`, `missing` rows none
    /// (for codes stored otherwise than as `[Int32]`, counted in their own storage).
    public init(counts: [Int], missing: Int) {
        let n = counts.reduce(0, +)
        self.count = n
        self.missing = missing
        self.levels = counts.enumerated().map { code, k in
            Level(code: code, count: k, percent: n > 0 ? 100 * Double(k) / Double(n) : nil)
        }
    }
}

/// Inclusive integer ranges for binning a count variable, written "1-5", "6-10", "11-".
public struct IntegerBins: Sendable, Hashable {
    /// One bin: `lower...upper`, `upper == nil` meaning "or more".
    public struct Bin: Sendable, Hashable {
        public var label: String
        public var lower: Double
        public var upper: Double?
        public func contains(_ x: Double) -> Bool { x >= lower && (upper.map { x <= $0 } ?? true) }
    }

    public let bins: [Bin]

    /// Parses labels like "1-5" and "11-" (also "11+").
    ///
    /// - Throws: `invalid_parameter` for a label that is not such a range, a range whose end is
    ///   below its start, or overlapping ranges.
    public init(_ labels: [String]) throws {
        var bins: [Bin] = []
        for label in labels {
            let text = label.trimmingWhitespace()
            let open = text.hasSuffix("-") || text.hasSuffix("+")
            let body = open ? String(text.dropLast()) : text
            let parts = body.split(separator: "-", omittingEmptySubsequences: false)
            if open, parts.count == 1, let lo = Int(parts[0].trimmingWhitespace()) {
                bins.append(Bin(label: label, lower: Double(lo), upper: nil))
            } else if !open, parts.count == 2,
                let lo = Int(parts[0].trimmingWhitespace()), let hi = Int(parts[1].trimmingWhitespace()), hi >= lo
            {
                bins.append(Bin(label: label, lower: Double(lo), upper: Double(hi)))
            } else {
                throw StatisticsError(
                    .invalidParameter,
                    "bin \"\(label)\" is not an inclusive integer range such as \"1-5\" or \"11-\"")
            }
        }
        // Sorted by their lower ends, two ranges overlap exactly when some neighbours do (if i
        // and j > i overlap, so do i and i + 1): n log n, not every pair.
        let order = bins.indices.sorted { (bins[$0].lower, $0) < (bins[$1].lower, $1) }
        for (a, b) in zip(order, order.dropFirst()) {
            let x = bins[a]
            let y = bins[b]
            if y.lower <= (x.upper ?? .infinity) {
                let (first, second) = a < b ? (x, y) : (y, x)
                throw StatisticsError(.invalidParameter, "bins \"\(first.label)\" and \"\(second.label)\" overlap")
            }
        }
        self.bins = bins
    }

    /// Assigns each value a bin code (−1 for NaN = missing).
    ///
    /// - Throws: `outside_bins` naming the first value that falls in no bin.
    public func codes(_ values: [Double]) throws -> [Int32] {
        try values.enumerated().map { i, x in
            if x.isNaN { return -1 }
            guard let b = bins.firstIndex(where: { $0.contains(x) }) else {
                throw StatisticsError(
                    .outsideBins,
                    "value \(x) of observation \(i + 1) is in none of the bins \(bins.map(\.label).joined(separator: ", "))")
            }
            return Int32(b)
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// Harrell's concordance between a risk score and survival, as survival's `concordance` reports
/// it for a Cox model (`reverse = TRUE`: a higher score should go with a shorter survival).
///
/// A pair is comparable when the subject with the shorter time had an event; a subject censored
/// at the time of another's event counts as surviving longer. Pairs tied on an event time are not
/// comparable. concordance = (concordant + tied.x / 2) / (concordant + discordant + tied.x).
/// O(n log n): a Fenwick tree over score ranks, sweeping from the longest time. With strata
/// (a stratified `coxph`), only pairs within a stratum are compared and the counts are summed.
struct Concordance {
    let value: Double?

    init(time: [Double], event: [Bool], score: [Double], strata: [Int32]? = nil) {
        var total = Counts()
        if let strata, let first = strata.first, strata.contains(where: { $0 != first }) {
            var members: [Int32: [Int]] = [:]
            for (i, s) in strata.enumerated() { members[s, default: []].append(i) }
            for rows in members.values {
                let c = Self.counts(time: rows.map { time[$0] }, event: rows.map { event[$0] }, score: rows.map { score[$0] })
                total.concordant += c.concordant
                total.discordant += c.discordant
                total.tied += c.tied
            }
        } else {
            total = Self.counts(time: time, event: event, score: score)
        }
        let denominator = total.concordant + total.discordant + total.tied
        value = denominator > 0 ? (total.concordant + total.tied / 2) / denominator : nil
    }

    struct Counts {
        var concordant = 0.0
        var discordant = 0.0
        var tied = 0.0
    }

    static func counts(time: [Double], event: [Bool], score: [Double]) -> Counts {
        let n = time.count
        guard n > 1 else { return Counts() }
        // Dense ranks of the score.
        let scoreOrder = RadixSort.order(score.map { RadixSort.key($0) })
        var rank = [Int](repeating: 0, count: n)
        var r = 0
        for (k, position) in scoreOrder.enumerated() {
            if k > 0 && score[Int(position)] != score[Int(scoreOrder[k - 1])] { r += 1 }
            rank[Int(position)] = r
        }
        var tree = FenwickTree(size: r + 1)
        // Time order, descending.
        // A Cox model passes its subjects already in descending time order: no second sort.
        let descending = zip(time, time.dropFirst()).allSatisfy { $0 >= $1 }
        let timeOrder = descending ? Array(0..<n) : RadixSort.order(time.map { RadixSort.key($0) }).reversed().map(Int.init)
        var concordant = 0.0
        var discordant = 0.0
        var tied = 0.0
        var i = 0
        while i < n {
            let t = time[timeOrder[i]]
            var j = i
            while j < n && time[timeOrder[j]] == t { j += 1 }
            let group = timeOrder[i..<j]
            // Subjects censored at t are at risk beyond the events at t.
            for s in group where !event[s] { tree.add(rank[s]) }
            for s in group where event[s] {
                let below = tree.prefixCount(rank[s] - 1)
                let equal = tree.prefixCount(rank[s]) - below
                let above = tree.total - below - equal
                concordant += Double(below)
                discordant += Double(above)
                tied += Double(equal)
            }
            for s in group where event[s] { tree.add(rank[s]) }
            i = j
        }
        return Counts(concordant: concordant, discordant: discordant, tied: tied)
    }
}

/// Counts of integers in 0..<size, with prefix counts in O(log size).
struct FenwickTree {
    private var counts: [Int]
    private(set) var total = 0

    init(size: Int) { counts = [Int](repeating: 0, count: size + 1) }

    mutating func add(_ index: Int) {
        var i = index + 1
        while i < counts.count {
            counts[i] += 1
            i += i & (-i)
        }
        total += 1
    }

    /// How many added values are ≤ index (0 for a negative index).
    func prefixCount(_ index: Int) -> Int {
        var i = index + 1
        var sum = 0
        while i > 0 {
            sum += counts[i]
            i -= i & (-i)
        }
        return sum
    }
}

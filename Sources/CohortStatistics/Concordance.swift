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

    /// - Parameters: subjects in descending time order within each stratum, as a Cox model
    ///   holds them; with `strata`, the subjects of a stratum are contiguous (a stratum's run is
    ///   compared within itself; no hashing or copying per stratum). A run that is not in
    ///   descending time order is sorted first.
    init(descendingTime time: [Double], event: [Bool], score: [Double], strata: [Int32]? = nil) {
        let n = min(time.count, event.count, score.count)
        var total = Counts()
        time.withUnsafeBufferPointer { time in
            event.withUnsafeBufferPointer { event in
                score.withUnsafeBufferPointer { score in
                    var start = 0
                    while start < n {
                        var end = start + 1
                        if let strata, strata.count >= n {
                            while end < n && strata[end] == strata[start] { end += 1 }
                        } else {
                            end = n
                        }
                        let c = Self.counts(
                            time: UnsafeBufferPointer(rebasing: time[start..<end]), event: UnsafeBufferPointer(rebasing: event[start..<end]),
                            score: UnsafeBufferPointer(rebasing: score[start..<end]))
                        total.concordant += c.concordant
                        total.discordant += c.discordant
                        total.tied += c.tied
                        start = end
                    }
                }
            }
        }
        let denominator = total.concordant + total.discordant + total.tied
        value = denominator > 0 ? (total.concordant + total.tied / 2) / denominator : nil
    }

    struct Counts {
        var concordant = 0.0
        var discordant = 0.0
        var tied = 0.0
    }

    /// Harrell's counts of one stratum.
    ///
    /// Subjects are numbered by time group, longest first (g), each with a slot 2g for a
    /// censoring and 2g + 1 for an event: the pairs comparable with an event in group g are the
    /// subjects in slots ≤ 2g (a longer time, or censored at the same time). Sweeping subjects in
    /// ascending score with a Fenwick tree over the slots, an event's concordant pairs are the
    /// lower scores already in slots ≤ 2g, its tied ones the equal scores there, the rest
    /// discordant. The tree has two slots per distinct time, so it stays in cache when follow-up
    /// times are rounded (a million subjects, a thousand times).
    ///
    /// - Parameter parallelFrom: the subjects from which the counts are split over two cores
    ///   (``parallelCount``; smaller in tests).
    static func counts(
        time: UnsafeBufferPointer<Double>, event: UnsafeBufferPointer<Bool>, score: UnsafeBufferPointer<Double>,
        parallelFrom: Int = parallelCount
    ) -> Counts {
        let n = time.count
        guard n > 1 else { return Counts() }
        // Time groups, longest first; a Cox model passes its subjects already in descending time.
        var descending = true
        for i in 1..<n where time[i - 1] < time[i] {
            descending = false
            break
        }
        let timeOrder: [Int32] = descending ? [] : Array(RadixSort.order(time.map { RadixSort.key($0) }).reversed())
        var slot = [Int32](repeating: 0, count: n)
        var groups = 0
        slot.withUnsafeMutableBufferPointer { slot in
            var previous = Double.nan
            for k in 0..<n {
                let i = descending ? k : Int(timeOrder[k])
                if time[i] != previous {
                    groups += 1
                    previous = time[i]
                }
                slot[i] = Int32(truncatingIfNeeded: 2 * (groups - 1) + (event[i] ? 1 : 0))
            }
        }
        let slots = 2 * groups
        // Subjects in slots ≤ s: the pairs comparable with an event of slot s + 1.
        var upTo = [Int](repeating: 0, count: slots)
        for s in slot { upTo[Int(s)] += 1 }
        for s in 1..<slots { upTo[s] += upTo[s - 1] }

        // Large strata: split the subjects at a score, each side counted on its own core. Every
        // subject below the split scores lower than every one above it, so the upper side
        // starts its sweep with the lower side's subjects already counted as lower scores.
        let upToCounts = upTo
        if n >= parallelFrom, let split = splitScore(score) {
            var lowCount = 0
            for i in 0..<n where score[i] < split { lowCount += 1 }
            var lowScore = [Double](repeating: 0, count: lowCount)
            var lowSlot = [Int32](repeating: 0, count: lowCount)
            var highScore = [Double](repeating: 0, count: n - lowCount)
            var highSlot = [Int32](repeating: 0, count: n - lowCount)
            var lowCounts = [Int32](repeating: 0, count: slots)
            slot.withUnsafeBufferPointer { slot in
                lowScore.withUnsafeMutableBufferPointer { lowScore in
                    lowSlot.withUnsafeMutableBufferPointer { lowSlot in
                        highScore.withUnsafeMutableBufferPointer { highScore in
                            highSlot.withUnsafeMutableBufferPointer { highSlot in
                                lowCounts.withUnsafeMutableBufferPointer { lowCounts in
                                    var l = 0
                                    var h = 0
                                    for i in 0..<n {
                                        if score[i] < split {
                                            lowScore[l] = score[i]
                                            lowSlot[l] = slot[i]
                                            lowCounts[Int(slot[i])] &+= 1
                                            l += 1
                                        } else {
                                            highScore[h] = score[i]
                                            highSlot[h] = slot[i]
                                            h += 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let low = (score: lowScore, slot: lowSlot, counts: lowCounts)
            let high = (score: highScore, slot: highSlot)
            let (below, above) = concurrently(
                { sweep(score: low.score, slot: low.slot, upTo: upToCounts, lowerCounts: nil) },
                { sweep(score: high.score, slot: high.slot, upTo: upToCounts, lowerCounts: low.counts) })
            // Integer counts, exact in a Double: the sum does not depend on the split.
            return Counts(
                concordant: below.concordant + above.concordant, discordant: below.discordant + above.discordant,
                tied: below.tied + above.tied)
        }
        return sweep(score: Array(score), slot: slot, upTo: upToCounts, lowerCounts: nil)
    }

    /// Subjects from which a stratum's counts are split over two cores.
    static let parallelCount = 100_000

    /// A score near the median (of an even sample), below which some subjects lie; `nil` when
    /// none does (the split would leave one side empty).
    static func splitScore(_ score: UnsafeBufferPointer<Double>) -> Double? {
        let n = score.count
        let step = max(1, n / 1024)
        var sample = stride(from: 0, to: n, by: step).map { score[$0] == 0 ? 0 : score[$0] }
        sample.sort()
        guard let first = sample.first else { return nil }
        let middle = sample[sample.count / 2]
        return middle > first ? middle : sample.first { $0 > first }
    }

    /// Harrell's counts of the events among `score`/`slot` against every subject in
    /// `upTo`'s slots: those in `lowerCounts` (per slot; all with lower scores) and those here.
    static func sweep(score: [Double], slot: [Int32], upTo: [Int], lowerCounts: [Int32]?) -> Counts {
        let n = score.count
        let slots = upTo.count
        // Subjects in ascending score: the sorted scores (−0 as +0) and each one's slot,
        // gathered once so that the sweep reads both sequentially.
        let (sortedScore, scoreOrder) = score.withUnsafeBufferPointer { ScoreOrder.sorted($0) }
        var sortedSlot = [Int32](repeating: 0, count: n)
        sortedSlot.withUnsafeMutableBufferPointer { sorted in
            slot.withUnsafeBufferPointer { slot in
                scoreOrder.withUnsafeBufferPointer { order in
                    for k in 0..<n { sorted[k] = slot[Int(order[k])] }
                }
            }
        }
        var lower = lowerCounts.map { FenwickTree(counts: $0) } ?? FenwickTree(size: slots)
        var equal = FenwickTree(size: slots)
        var concordant = 0.0
        var discordant = 0.0
        var tied = 0.0
        sortedScore.withUnsafeBufferPointer { keys in
            sortedSlot.withUnsafeBufferPointer { slot in
                var k = 0
                while k < n {
                    var end = k + 1
                    while end < n && keys[end] == keys[k] { end += 1 }
                    if end == k + 1 {
                        // A score of its own: no ties (the usual case with a continuous covariate).
                        let own = Int(slot[k])
                        if own & 1 == 1 {
                            let s = own - 1  // 2g: the comparable slots are ≤ s
                            let below = lower.prefixCount(s)
                            concordant += Double(below)
                            discordant += Double(upTo[s] - below)
                        }
                        lower.add(own, 1)
                    } else {
                        for m in k..<end { equal.add(Int(slot[m]), 1) }
                        for m in k..<end where slot[m] & 1 == 1 {
                            let s = Int(slot[m]) - 1
                            let below = lower.prefixCount(s)
                            let same = equal.prefixCount(s)
                            concordant += Double(below)
                            tied += Double(same)
                            discordant += Double(upTo[s] - below - same)
                        }
                        for m in k..<end {
                            equal.add(Int(slot[m]), -1)
                            lower.add(Int(slot[m]), 1)
                        }
                    }
                    k = end
                }
            }
        }
        return Counts(concordant: concordant, discordant: discordant, tied: tied)
    }
}

/// Counts of integers in 0..<size, with prefix counts in O(log size) (32-bit counts).
struct FenwickTree {
    private var counts: [Int32]

    init(size: Int) { counts = [Int32](repeating: 0, count: size + 1) }

    /// A tree holding `values[i]` of each integer i, built in O(size).
    init(counts values: [Int32]) {
        var tree = [Int32](repeating: 0, count: values.count + 1)
        for i in values.indices { tree[i + 1] = values[i] }
        let size = values.count
        if size > 0 {
            for i in 1...size {
                let parent = i + (i & -i)
                if parent <= size { tree[parent] &+= tree[i] }
            }
        }
        counts = tree
    }

    /// Adds `delta` (±) to the count of `index`.
    mutating func add(_ index: Int, _ delta: Int32) {
        counts.withUnsafeMutableBufferPointer { counts in
            var i = index + 1
            while i > 0 && i < counts.count {
                counts[i] &+= delta
                i += i & (-i)
            }
        }
    }

    /// The count of values ≤ index (0 for a negative index).
    func prefixCount(_ index: Int) -> Int {
        counts.withUnsafeBufferPointer { counts in
            var i = min(index + 1, counts.count - 1)
            var sum = 0
            while i > 0 {
                sum &+= Int(counts[i])
                i -= i & (-i)
            }
            return sum
        }
    }
}

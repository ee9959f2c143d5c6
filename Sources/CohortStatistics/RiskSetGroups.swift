import RealModule

/// A Cox model's subjects (in risk-set order: descending time within contiguous strata) as runs
/// of one stratum and one time, with the per-run sums the partial likelihood and `cox.zph` need.
///
/// Every risk-set sum of coxfit6 and zph1 is a running total over these runs, so one pass over
/// the rows can compute, per run, Σ exp(η), Σ exp(η)·x and Σ exp(η)·x xᵀ separately over its
/// censorings and its deaths; a short serial pass over the runs then makes the running totals
/// and the Efron or Breslow terms. A run is never split, so the rows of two halves of a block of
/// runs can be summed on two cores with the same result, bit for bit, as on one.
struct RiskSetGroups: Sendable, Hashable {
    /// Covariates per subject.
    let p: Int
    /// The first row of each run, then the number of rows (runs + 1 entries).
    let start: [Int]
    /// Per run: the number of deaths.
    let deaths: [Int]
    /// Whether every run has its censorings first, then its deaths (as ``CoxModel`` orders
    /// them): a run's two parts are then summed by two tight loops.
    let censoringsFirst: Bool
    /// Per run: whether it is the first of its stratum (the risk set starts empty there).
    let opensStratum: [Bool]
    /// Σ x over every death (p values): Σ η over the deaths is β · this.
    let totalDeathSums: [Double]

    /// Rows summed per block on the way to the serial pass (half on each core).
    static let blockRows = 1 << 17
    /// Rows below which a block is summed on one thread (threads cost more than they save).
    static let parallelRows = 50_000

    /// The values stored per run: censorings then deaths, each Σ r, Σ r·x (p), Σ r·x xᵀ (the
    /// lower triangle row by row, p(p+1)/2), r = exp(η).
    static func width(p: Int) -> Int { 2 * half(p: p) }
    /// The values per run for its censorings (or its deaths).
    static func half(p: Int) -> Int { 1 + p + p * (p + 1) / 2 }

    /// Runs of equal time and stratum over rows in risk-set order (`x` row-major n × p).
    init(time: [Double], status: [Bool], stratum: [Int32], x: [Double], p: Int) {
        self.p = p
        let n = time.count
        var start: [Int] = []
        var deaths: [Int] = []
        var opens: [Bool] = []
        var total = [Double](repeating: 0, count: p)
        var ordered = true
        var run = [Double](repeating: 0, count: p)
        time.withUnsafeBufferPointer { time in
            stratum.withUnsafeBufferPointer { stratum in
                status.withUnsafeBufferPointer { status in
                    x.withUnsafeBufferPointer { x in
                        run.withUnsafeMutableBufferPointer { run in
                            var row = 0
                            while row < n {
                                let t = time[row]
                                let s = stratum[row]
                                opens.append(row == 0 || stratum[row - 1] != s)
                                start.append(row)
                                for j in 0..<p { run[j] = 0 }
                                var d = 0
                                while row < n && time[row] == t && stratum[row] == s {
                                    if status[row] {
                                        d += 1
                                        let at = row &* p
                                        for j in 0..<p { run[j] += x[at &+ j] }
                                    } else if d > 0 {
                                        ordered = false
                                    }
                                    row += 1
                                }
                                // Σ x over a run's deaths, added to the total run by run.
                                for j in 0..<p { total[j] += run[j] }
                                deaths.append(d)
                            }
                        }
                    }
                }
            }
        }
        start.append(n)
        self.start = start
        self.deaths = deaths
        self.censoringsFirst = ordered
        self.opensStratum = opens
        self.totalDeathSums = total
    }

    /// The number of runs.
    var count: Int { deaths.count }

    /// Calls `body` with consecutive ranges of runs, in order, and their sums at `beta` (row-major
    /// runs × ``width(p:)``, the first run of the range first). Large blocks are summed on two
    /// threads, each over whole runs; memory stays bounded by the block size.
    ///
    /// - Returns: every run's sums in one array when they fit in ``retainedLimit`` values (so
    ///   that a later pass at the same β can reuse them, see ``forEachBlock(retained:_:)``).
    @discardableResult
    /// - Parameters: `blockRows` and `parallelRows` replace ``blockRows`` and ``parallelRows``
    ///   (for tests on small data).
    func forEachBlock(
        beta: [Double], x: [Double], status: [Bool], blockRows: Int = Self.blockRows, parallelRows: Int = Self.parallelRows,
        _ body: (Range<Int>, UnsafeBufferPointer<Double>) -> Void
    ) -> [Double]? {
        let retain = count * Self.width(p: p) <= Self.retainedLimit
        var retained: [Double] = []
        if retain { retained.reserveCapacity(count * Self.width(p: p)) }
        let width = Self.width(p: p)
        let n = start.last ?? 0
        // At most ~2 MB of sums per block, whatever p is.
        let maxRuns = max(1, (1 << 18) / width)
        let rowsPerBlock = n >= parallelRows ? blockRows : max(n, 1)
        var first = 0
        while first < count {
            var end = first + 1
            while end < count && end - first < maxRuns && start[end + 1] - start[first] <= rowsPerBlock { end += 1 }
            let range = first..<end
            let rows = start[end] - start[first]
            if rows >= parallelRows && range.count > 1 {
                // Split at the run where half the block's rows are reached.
                let middleRow = start[first] + rows / 2
                var split = first + 1
                while split < end - 1 && start[split + 1] <= middleRow { split += 1 }
                let lower = first..<split
                let upper = split..<end
                let (a, b) = concurrently(
                    { self.sums(lower, beta: beta, x: x, status: status) },
                    { self.sums(upper, beta: beta, x: x, status: status) })
                let both = a + b
                both.withUnsafeBufferPointer { body(range, $0) }
                if retain { retained += both }
            } else {
                let block = sums(range, beta: beta, x: x, status: status)
                block.withUnsafeBufferPointer { body(range, $0) }
                if retain { retained += block }
            }
            first = end
        }
        return retain ? retained : nil
    }

    /// The most values of run sums kept for reuse (8 MB): a thousand distinct times cost a few
    /// hundred kilobytes; a million distinct times are summed again rather than kept.
    static let retainedLimit = 1 << 20

    /// Calls `body` once with every run and the sums ``forEachBlock(beta:x:status:_:)`` returned.
    func forEachBlock(retained: [Double], _ body: (Range<Int>, UnsafeBufferPointer<Double>) -> Void) {
        retained.withUnsafeBufferPointer { body(0..<count, $0) }
    }

    /// The sums of the runs `range` at `beta`, each over its rows in order.
    func sums(_ range: Range<Int>, beta: [Double], x: [Double], status: [Bool]) -> [Double] {
        if p <= 4 && censoringsFirst { return sums4(range, beta: beta, x: x) }
        return sumsAnyOrder(range, beta: beta, x: x, status: status)
    }

    /// ``sums(_:beta:x:status:)`` for any number of covariates and any order within a run.
    func sumsAnyOrder(_ range: Range<Int>, beta: [Double], x: [Double], status: [Bool]) -> [Double] {
        let width = Self.width(p: p)
        let half = Self.half(p: p)
        let p = self.p
        let atZero = beta.allSatisfy { $0 == 0 }
        var out = [Double](repeating: 0, count: range.count * width)
        out.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { x in
                status.withUnsafeBufferPointer { status in
                    beta.withUnsafeBufferPointer { beta in
                        start.withUnsafeBufferPointer { start in
                            guard let base = out.baseAddress else { return }
                            for g in range {
                                let run = base + (g - range.lowerBound) * width
                                for row in start[g]..<start[g + 1] {
                                    let xr = row &* p
                                    var zbeta = 0.0
                                    for j in 0..<p { zbeta += beta[j] * x[xr &+ j] }
                                    let risk = atZero ? 1 : Double.exp(zbeta)
                                    let acc = status[row] ? run + half : run
                                    acc[0] += risk
                                    var t = 1 &+ p
                                    for i in 0..<p {
                                        let rx = risk * x[xr &+ i]
                                        acc[1 &+ i] += rx
                                        for j in 0...i {
                                            acc[t] += rx * x[xr &+ j]
                                            t &+= 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// ``sums(_:beta:x:status:)`` for at most 4 covariates, on SIMD vectors held in registers
    /// over a run's censorings, then over its deaths (needs ``censoringsFirst``).
    func sums4(_ range: Range<Int>, beta: [Double], x: [Double]) -> [Double] {
        let width = Self.width(p: p)
        let half = Self.half(p: p)
        let p = self.p
        var b = SIMD4<Double>()
        for j in 0..<p { b[j] = beta[j] }
        let coefficients = b
        let atZero = beta.allSatisfy { $0 == 0 }
        var out = [Double](repeating: 0, count: range.count * width)
        out.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { x in
                start.withUnsafeBufferPointer { start in
                    deaths.withUnsafeBufferPointer { deaths in
                        guard let base = out.baseAddress, let xs = x.baseAddress else { return }
                        @inline(__always) func row(_ r: Int) -> SIMD4<Double> {
                            let at = xs + r &* p
                            switch p {
                            case 4: return SIMD4(at[0], at[1], at[2], at[3])
                            case 3: return SIMD4(at[0], at[1], at[2], 0)
                            case 2: return SIMD4(at[0], at[1], 0, 0)
                            default: return SIMD4(at[0], 0, 0, 0)
                            }
                        }
                        /// Σ r, Σ r·x and Σ r·x xᵀ over `rows` into `acc` (the packed layout).
                        @inline(__always) func add(_ rows: Range<Int>, into acc: UnsafeMutablePointer<Double>) {
                            var s0 = 0.0
                            var s1 = SIMD4<Double>()
                            var c0 = SIMD4<Double>()
                            var c1 = SIMD4<Double>()
                            var c2 = SIMD4<Double>()
                            var c3 = SIMD4<Double>()
                            for r in rows {
                                let v = row(r)
                                // exp(0) is 1 exactly: the first Newton step (β = 0) needs no exp.
                                let risk = atZero ? 1 : Double.exp((coefficients * v).sum())
                                let rx = risk * v
                                s0 += risk
                                s1 += rx
                                c0 += rx * v[0]
                                c1 += rx * v[1]
                                c2 += rx * v[2]
                                c3 += rx * v[3]
                            }
                            acc[0] = s0
                            let columns = (c0, c1, c2, c3)
                            var t = 1 &+ p
                            for i in 0..<p {
                                acc[1 &+ i] = s1[i]
                                for j in 0...i {
                                    let column: SIMD4<Double>
                                    switch j {
                                    case 0: column = columns.0
                                    case 1: column = columns.1
                                    case 2: column = columns.2
                                    default: column = columns.3
                                    }
                                    acc[t] = column[i]
                                    t &+= 1
                                }
                            }
                        }
                        for g in range {
                            let run = base + (g - range.lowerBound) * width
                            let firstDeath = start[g + 1] - deaths[g]
                            add(start[g]..<firstDeath, into: run)
                            add(firstDeath..<start[g + 1], into: run + half)
                        }
                    }
                }
            }
        }
        return out
    }
}

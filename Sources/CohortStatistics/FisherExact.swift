import RealModule

/// Fisher's exact test of independence for r × c tables, two-sided, as R's `fisher.test`.
///
/// Why enumeration: R's p (FEXACT's network algorithm, or the hypergeometric sum for 2 × 2) is the
/// sum of the probabilities of every table with the observed margins whose probability is at most
/// the observed one × (1 + 1e-7). Enumerating those tables gives exactly that sum; it is fast for
/// the tables of a Table 1 (a few levels by a few groups), and a time budget stops it on tables too
/// large to enumerate (a count of steps, so the result is reproducible), where the result says so
/// instead of approximating.
public enum FisherExact {
    /// The outcome: an exact p, or the budget ran out (the caller reports "not estimable").
    public enum Outcome: Sendable, Hashable {
        case exact(p: Double)
        case budgetExceeded(tablesVisited: Int)
    }

    /// R's relative tolerance when comparing table probabilities with the observed one
    /// (`fisher.test`: `relErr <- 1 + 10^(-7)`).
    public static let relativeTolerance = 1e-7

    /// Enumeration steps (nodes visited) per second of budget, measured on the project's 2-core
    /// reference machine in a release build (see ``test(_:budget:)``).
    public static let stepsPerSecond = 40_000_000

    /// The two-sided exact p of `table`, giving up after about `budget` of work.
    ///
    /// Why steps and not the clock: the budget is a count of enumeration steps (`budget` ×
    /// ``stepsPerSecond``), so the same table gives the same answer on every run and every machine,
    /// however loaded; a clock would make results.json depend on what else the machine was doing.
    public static func test(_ table: ContingencyTable, budget: Duration = .seconds(1)) -> Outcome {
        let seconds = Double(budget.components.seconds) + Double(budget.components.attoseconds) * 1e-18
        return test(table, maximumSteps: Int(min(max(seconds, 0), 1e6) * Double(stepsPerSecond)))
    }

    /// The two-sided exact p of `table`, giving up after `maximumSteps` enumeration steps.
    ///
    /// Empty rows and columns are dropped first (they do not change the set of tables); a table
    /// with fewer than two non-empty rows or columns has p = 1.
    public static func test(_ table: ContingencyTable, maximumSteps: Int) -> Outcome {
        var rows = table.rowSums.enumerated().filter { $0.element > 0 }.map(\.offset)
        var columns = table.columnSums.enumerated().filter { $0.element > 0 }.map(\.offset)
        guard rows.count >= 2, columns.count >= 2 else { return .exact(p: 1) }
        // Enumerate with the smaller dimension as columns: fewer free cells per row.
        var transpose = false
        if columns.count > rows.count {
            swap(&rows, &columns)
            transpose = true
        }
        let cell: (Int, Int) -> Int = { i, j in transpose ? table[columns[j], rows[i]] : table[rows[i], columns[j]] }
        // Largest rows first (measured faster than smallest first: the deep, memoized levels of
        // the network are then small); the order of rows does not change the p.
        let rowTotals = rows.indices.map { i in columns.indices.reduce(0) { $0 + cell(i, $1) } }
        let order = rows.indices.sorted { (-rowTotals[$0], $0) < (-rowTotals[$1], $1) }
        var observed = [Int]()
        for i in order { for j in columns.indices { observed.append(cell(i, j)) } }
        var enumeration = Enumeration(
            observed: observed, rowCount: rows.count, columnCount: columns.count, maximumSteps: maximumSteps)
        return enumeration.run()
    }

    /// The depth-first enumeration of the tables with the observed margins.
    struct Enumeration {
        let rowCount: Int
        let columnCount: Int
        let rowSums: [Int]
        let logFactorial: [Double]
        /// Σ log xᵢⱼ! of the observed table; a table counts when its sum is ≥ this − log(1 + 1e-7).
        let threshold: Double
        let observedLogSum: Double
        let maximumSteps: Int
        var remaining: [Int]
        var sum = 0.0
        var visited = 0
        var outOfTime = false
        /// The least and greatest Σ log x! of the rows `row…` given their column sums (sorted:
        /// the columns of a sub-table are interchangeable), computed once per node.
        var extremes: [Node: (least: Double, greatest: Double)] = [:]

        struct Node: Hashable {
            var row: Int
            var columns: [Int]
        }

        init(observed: [Int], rowCount: Int, columnCount: Int, maximumSteps: Int) {
            self.rowCount = rowCount
            self.columnCount = columnCount
            var rs = [Int](repeating: 0, count: rowCount)
            var cs = [Int](repeating: 0, count: columnCount)
            for i in 0..<rowCount {
                for j in 0..<columnCount {
                    rs[i] += observed[i * columnCount + j]
                    cs[j] += observed[i * columnCount + j]
                }
            }
            let n = rs.reduce(0, +)
            logFactorial = (0...n).map { Double.logGamma(Double($0) + 1) }
            let lf = logFactorial
            observedLogSum = observed.reduce(0.0) { $0 + lf[$1] }
            threshold = observedLogSum - Double.log(onePlus: FisherExact.relativeTolerance)
            rowSums = rs
            remaining = cs
            self.maximumSteps = maximumSteps
        }

        mutating func run() -> Outcome {
            // P(table) = K · exp(−Σ log xᵢⱼ!), K = Π rᵢ! Π cⱼ! / n!; p = P(observed) Σ exp(S_obs − S).
            let lf = logFactorial
            let n = rowSums.reduce(0, +)
            let k = rowSums.reduce(0.0) { $0 + lf[$1] } + remaining.reduce(0.0) { $0 + lf[$1] } - lf[n]
            fill(rowIndex: 0, column: 0, left: rowSums[0], partial: 0)
            if outOfTime { return .budgetExceeded(tablesVisited: visited) }
            let p = Double.exp(k - observedLogSum) * sum
            return .exact(p: min(p, 1))
        }

        /// For the rows `first…` with the current column sums: a lower and an upper bound of the
        /// Σ log x! of any completion, and log Σ over completions of exp(−Σ log x!), which is
        /// log(n′! / (Π rᵢ! Π c′ⱼ!)) (Σ over tables of Π multinomials = the column multinomial).
        private func bounds(from first: Int) -> (lower: Double, upper: Double, logMass: Double) {
            let rows = rowCount - first
            var rowLower = 0.0
            var rowUpper = 0.0
            var total = 0
            var logRows = 0.0
            for i in first..<rowCount {
                let r = rowSums[i]
                total += r
                rowUpper += logFactorial[r]
                rowLower += evenSplit(r, columnCount)
                logRows += logFactorial[r]
            }
            var columnLower = 0.0
            var columnUpper = 0.0
            var logColumns = 0.0
            for j in 0..<columnCount {
                let c = remaining[j]
                columnUpper += logFactorial[c]
                columnLower += evenSplit(c, rows)
                logColumns += logFactorial[c]
            }
            // Σ log x! over a row is at least that of the most even split and at most log(rᵢ!)
            // (log-factorials are convex and superadditive); the same holds per column.
            return (max(rowLower, columnLower), min(rowUpper, columnUpper), logFactorial[total] - logRows - logColumns)
        }

        /// The least and greatest Σ log x! over the completions of rows `row…` with column sums
        /// `columns`; `nil` when the step budget ran out.
        private mutating func extremes(row: Int, columns: [Int]) -> (least: Double, greatest: Double)? {
            if row == rowCount - 1 {
                let s = columns.reduce(0.0) { $0 + logFactorial[$1] }
                return (s, s)
            }
            let key = Node(row: row, columns: columns.sorted())
            if let known = extremes[key] { return known }
            var least = Double.infinity
            var greatest = -Double.infinity
            var cells = [Int](repeating: 0, count: columnCount)
            var rest = key.columns
            guard compose(row: row, column: 0, left: rowSums[row], cells: &cells, rest: &rest, partial: 0, least: &least, greatest: &greatest)
            else { return nil }
            extremes[key] = (least, greatest)
            return (least, greatest)
        }

        /// Every composition of row `row` into the columns `rest` (cell ≤ column sum), folding
        /// the extremes of its completions; `false` when the step budget ran out.
        private mutating func compose(
            row: Int, column: Int, left: Int, cells: inout [Int], rest: inout [Int], partial: Double,
            least: inout Double, greatest: inout Double
        ) -> Bool {
            visited += 1
            if visited > maximumSteps {
                outOfTime = true
                return false
            }
            if column == columnCount - 1 {
                guard left <= rest[column] else { return true }
                rest[column] -= left
                defer { rest[column] += left }
                guard let next = extremes(row: row + 1, columns: rest) else { return false }
                let s = partial + logFactorial[left]
                least = min(least, s + next.least)
                greatest = max(greatest, s + next.greatest)
                return true
            }
            var capacityAfter = 0
            for j in (column + 1)..<columnCount { capacityAfter += rest[j] }
            let low = max(0, left - capacityAfter)
            let high = min(left, rest[column])
            guard low <= high else { return true }
            for x in low...high {
                rest[column] -= x
                let ok = compose(
                    row: row, column: column + 1, left: left - x, cells: &cells, rest: &rest, partial: partial + logFactorial[x],
                    least: &least, greatest: &greatest)
                rest[column] += x
                if !ok { return false }
            }
            return true
        }

        /// The least Σ log xₖ! over `parts` non-negative integers summing to `total`.
        private func evenSplit(_ total: Int, _ parts: Int) -> Double {
            guard parts > 0 else { return 0 }
            let q = total / parts
            let r = total % parts
            return Double(parts - r) * logFactorial[q] + (r > 0 ? Double(r) * logFactorial[q + 1] : 0)
        }

        /// Chooses cell (rowIndex, column) of the rows before the last; `left` is what the row
        /// still has to place, `partial` the Σ log x! of the cells chosen so far.
        private mutating func fill(rowIndex: Int, column: Int, left: Int, partial: Double) {
            if outOfTime { return }
            visited += 1
            if visited > maximumSteps {
                outOfTime = true
                return
            }
            if column == 0 && rowIndex < rowCount - 1 {
                // At the start of a row, bound the Σ log x! of the rows still to fill: when every
                // completion counts, add the subtree's whole mass in closed form; when none can,
                // leave it. (The pruning of the network algorithm, with simple exact bounds.)
                let (lower, upper, logMass) = bounds(from: rowIndex)
                if partial + upper < threshold { return }
                if partial + lower >= threshold {
                    sum += Double.exp(observedLogSum - partial + logMass)
                    return
                }
                // The simple bounds did not decide: the exact ones of the network.
                guard let exact = extremes(row: rowIndex, columns: remaining) else { return }
                if partial + exact.greatest < threshold { return }
                if partial + exact.least >= threshold {
                    sum += Double.exp(observedLogSum - partial + logMass)
                    return
                }
            }
            if rowIndex == rowCount - 1 {
                // The last row is forced: the remaining column sums.
                var s = partial
                for j in 0..<columnCount { s += logFactorial[remaining[j]] }
                if s >= threshold { sum += Double.exp(observedLogSum - s) }
                return
            }
            if column == columnCount - 1 {
                // The row's last cell is forced.
                guard left <= remaining[column] else { return }
                remaining[column] -= left
                let next = rowIndex + 1
                fill(rowIndex: next, column: 0, left: rowSums[next], partial: partial + logFactorial[left])
                remaining[column] += left
                return
            }
            // What the columns after this one can still take bounds this cell from below.
            var capacityAfter = 0
            for j in (column + 1)..<columnCount { capacityAfter += remaining[j] }
            let low = max(0, left - capacityAfter)
            let high = min(left, remaining[column])
            guard low <= high else { return }
            for x in low...high {
                remaining[column] -= x
                fill(rowIndex: rowIndex, column: column + 1, left: left - x, partial: partial + logFactorial[x])
                remaining[column] += x
                if outOfTime { return }
            }
        }
    }
}

extension CoxModel {
    /// A model's subjects made ready for the fit: the complete cases in risk-set order
    /// (descending time within stratum, censorings before events at a tie, as `coxph` sorts)
    /// with their covariates centred and scaled as coxfit6 does.
    struct Prepared {
        var time: [Double]
        var status: [Bool]
        var stratum: [Int32]
        /// Row-major n × p.
        var x: [Double]
        /// Per column: the factor the centred values were multiplied by (1 when not scaled).
        var scales: [Double]
        var strataCount: Int
        var events: Int
    }

    /// Selects, orders and standardises the subjects of a fit, in O(n·p) without sorting again:
    /// `data`'s time order is reused.
    ///
    /// - Throws: `empty_input`, `invalid_parameter` (a stratum code ≥ the number of subjects),
    ///   `too_few_events`, `constant_predictor`.
    static func prepare(_ data: SurvivalData, design: CoxDesign, strata: [Int32]?) throws -> Prepared {
        let total = data.count
        let p = design.columns.count
        // Complete cases as one mask, column by column (no per-row closure or allocation).
        var complete = [Bool](repeating: true, count: total)
        complete.withUnsafeMutableBufferPointer { mask in
            for column in design.columns {
                column.withUnsafeBufferPointer { values in
                    for i in 0..<min(values.count, mask.count) where values[i].isNaN { mask[i] = false }
                }
            }
            if let strata {
                strata.withUnsafeBufferPointer { codes in
                    for i in 0..<min(codes.count, mask.count) where codes[i] < 0 { mask[i] = false }
                }
            }
        }
        // Stratum codes number the strata densely, so none can reach the number of subjects;
        // a larger code is a caller's error (and would size the counting sort by its value).
        if let strata, let i = strata.indices.first(where: { complete[$0] && Int(strata[$0]) >= total }) {
            throw StatisticsError(.invalidParameter, "stratum code \(strata[i]) of observation \(i + 1) is not below the \(total) subjects")
        }
        // The complete cases in ascending time order, events first at a tie: `data.order`
        // restricted to them. Its radix sort is stable, so this is exactly the order a sort of
        // the subset alone would give (equal keys keep their input order either way).
        // Unstratified, that order read backwards is the risk-set order (descending time,
        // censorings first at a tie); with strata, it is grouped by stratum first.
        var order: [Int] = []
        order.reserveCapacity(total)
        var time: [Double] = []
        var status: [Bool] = []
        data.order.withUnsafeBufferPointer { sortedOrder in
            complete.withUnsafeBufferPointer { mask in
                if strata == nil {
                    // Times and events come from the data's sorted copies, read in order.
                    time.reserveCapacity(total)
                    status.reserveCapacity(total)
                    data.sortedTime.withUnsafeBufferPointer { sortedTime in
                        data.sortedEvent.withUnsafeBufferPointer { sortedEvent in
                            for k in sortedOrder.indices.reversed() where mask[Int(sortedOrder[k])] {
                                order.append(Int(sortedOrder[k]))
                                time.append(sortedTime[k])
                                status.append(sortedEvent[k])
                            }
                        }
                    }
                } else {
                    for k in sortedOrder where mask[Int(k)] { order.append(Int(k)) }
                }
            }
        }
        guard !order.isEmpty else {
            throw StatisticsError(.emptyInput, "no subject has every covariate of the model")
        }
        let n = order.count
        var stratum = [Int32](repeating: 0, count: n)
        if let strata {
            order = Array(byStratum(order, strata: strata).reversed())
            time = [Double](repeating: 0, count: n)
            status = [Bool](repeating: false, count: n)
            order.withUnsafeBufferPointer { order in
                data.time.withUnsafeBufferPointer { t in
                    data.event.withUnsafeBufferPointer { e in
                        for i in 0..<n {
                            time[i] = t[order[i]]
                            status[i] = e[order[i]]
                        }
                    }
                }
                strata.withUnsafeBufferPointer { s in for i in 0..<n { stratum[i] = s[order[i]] } }
            }
        }
        let events = status.reduce(0) { $0 + ($1 ? 1 : 0) }
        // Subjects of a stratum are contiguous: count the boundaries.
        var strataCount = 1
        for i in 1..<n where stratum[i] != stratum[i - 1] { strataCount += 1 }
        guard events > 0 else {
            throw StatisticsError(.tooFewEvents, "no events among the \(n) subjects, so a Cox model cannot be fitted")
        }

        // Centre and scale as coxfit6 does, except columns of -1/0/1 values (survival's `nocenter`).
        let (x, columns) = gatherRows(design.columns, order: order)
        if let j = columns.firstIndex(where: \.constant) {
            throw StatisticsError(.constantPredictor, "covariate \(design.names[j]) has the same value for every subject in the model")
        }
        return Prepared(
            time: time, status: status, stratum: stratum, x: x, scales: columns.map(\.scale), strataCount: strataCount,
            events: events)
    }

    /// What ``gatherRows(_:order:)`` found about one column.
    struct GatheredColumn: Sendable, Hashable {
        /// The factor the centred values were multiplied by (1 when not scaled).
        var scale = 1.0
        /// Every value the same (the model cannot estimate its coefficient).
        var constant = true
    }

    /// The columns' values in `order` as row-major n × p rows, centred and scaled unless a
    /// column holds only −1, 0 and 1: one pass of random reads (all the columns of a subject
    /// at once, so the reads overlap) writing the rows in order, then two sequential passes.
    /// Means and absolute deviations are summed in subject order, as coxfit6's loops do.
    static func gatherRows(_ columns: [[Double]], order: [Int]) -> (x: [Double], columns: [GatheredColumn]) {
        let p = columns.count
        let n = order.count
        // The reads are random over large arrays (memory-bound): two threads, each gathering
        // half of the rows, nearly halve the time; the second half is appended to the first.
        var x: [Double]
        if n >= 50_000 && p > 0 {
            let middle = n / 2
            var (first, second) = concurrently(
                { rows(columns, order: order, 0..<middle, capacity: n * p) },
                { rows(columns, order: order, middle..<n, capacity: 0) })
            first.append(contentsOf: second)
            second = []
            x = first
        } else {
            x = rows(columns, order: order, 0..<n, capacity: n * p)
        }
        var result = [GatheredColumn](repeating: GatheredColumn(), count: p)
        guard n > 0 else { return (x, result) }
        // Means summed in subject order (as coxfit6), whatever the threads.
        var sums = [Double](repeating: 0, count: p)
        x.withUnsafeBufferPointer { x in
            sums.withUnsafeMutableBufferPointer { sums in
                for i in 0..<n {
                    let row = i &* p
                    for j in 0..<p { sums[j] += x[row &+ j] }
                }
            }
        }
        // Which columns are constant or of −1/0/1 only, and the others' absolute deviations.
        let means = sums.map { $0 / Double(n) }
        var zeroOne = [Bool](repeating: true, count: p)
        var absolute = [Double](repeating: 0, count: p)
        var constant = [Bool](repeating: true, count: p)
        x.withUnsafeBufferPointer { x in
            means.withUnsafeBufferPointer { means in
                zeroOne.withUnsafeMutableBufferPointer { zeroOne in
                    constant.withUnsafeMutableBufferPointer { constant in
                        absolute.withUnsafeMutableBufferPointer { absolute in
                            for i in 0..<n {
                                let row = i &* p
                                for j in 0..<p {
                                    let v = x[row &+ j]
                                    if v != x[j] { constant[j] = false }
                                    if !(v == 0 || v == 1 || v == -1) { zeroOne[j] = false }
                                    absolute[j] += abs(v - means[j])
                                }
                            }
                        }
                    }
                }
            }
        }
        for j in 0..<p { result[j].constant = constant[j] }
        var transformed: [(column: Int, mean: Double, scale: Double)] = []
        for j in 0..<p where !zeroOne[j] && !result[j].constant {
            let scale = absolute[j] > 0 ? Double(n) / absolute[j] : 1
            result[j].scale = scale
            transformed.append((j, means[j], scale))
        }
        if !transformed.isEmpty {
            x.withUnsafeMutableBufferPointer { x in
                for i in 0..<n {
                    let row = i &* p
                    for (j, mean, scale) in transformed { x[row &+ j] = (x[row &+ j] - mean) * scale }
                }
            }
        }
        return (x, result)
    }

    /// The rows `range` of `order`, each the columns' values of one subject, row-major, in an
    /// array with room for `capacity` values.
    static func rows(_ columns: [[Double]], order: [Int], _ range: Range<Int>, capacity: Int) -> [Double] {
        let p = columns.count
        let values = range.count * p
        return [Double](unsafeUninitializedCapacity: max(capacity, values)) { buffer, count in
            withBuffers(columns) { columns in
                order.withUnsafeBufferPointer { order in
                    var at = 0
                    for i in range {
                        let k = order[i]
                        for j in 0..<p {
                            buffer.initializeElement(at: at, to: columns[j][k])
                            at &+= 1
                        }
                    }
                }
            }
            count = values
        }
    }

    /// Calls `body` with a buffer of each array, valid for the call.
    static func withBuffers<R>(_ arrays: [[Double]], _ body: ([UnsafeBufferPointer<Double>]) -> R) -> R {
        var buffers: [UnsafeBufferPointer<Double>] = []
        buffers.reserveCapacity(arrays.count)
        func nest(_ k: Int) -> R {
            guard k < arrays.count else { return body(buffers) }
            return arrays[k].withUnsafeBufferPointer { buffer in
                buffers.append(buffer)
                return nest(k + 1)
            }
        }
        return nest(0)
    }

    /// `ascending` (subject indices in time order) regrouped by stratum, keeping time order
    /// within each stratum: a stable counting sort on the codes, O(n). The codes of the
    /// subjects in `ascending` are `0..<strata.count` (checked by ``prepare(_:design:strata:)``).
    static func byStratum(_ ascending: [Int], strata: [Int32]?) -> [Int] {
        guard let strata, let largest = ascending.lazy.map({ Int(strata[$0]) }).max(), largest > 0 else { return ascending }
        var start = [Int](repeating: 0, count: largest + 2)
        for i in ascending { start[Int(strata[i]) + 1] += 1 }
        for k in 1..<start.count { start[k] += start[k - 1] }
        var out = [Int](repeating: 0, count: ascending.count)
        for i in ascending {
            let k = Int(strata[i])
            out[start[k]] = i
            start[k] += 1
        }
        return out
    }
}

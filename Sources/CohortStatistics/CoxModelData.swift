import Dispatch
import Synchronization

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
        data.order.withUnsafeBufferPointer { sortedOrder in
            complete.withUnsafeBufferPointer { mask in
                if strata == nil {
                    for k in sortedOrder.reversed() where mask[Int(k)] { order.append(Int(k)) }
                } else {
                    for k in sortedOrder where mask[Int(k)] { order.append(Int(k)) }
                }
            }
        }
        guard !order.isEmpty else {
            throw StatisticsError(.emptyInput, "no subject has every covariate of the model")
        }
        if strata != nil { order = Array(byStratum(order, strata: strata).reversed()) }
        let n = order.count
        var time = [Double](repeating: 0, count: n)
        var status = [Bool](repeating: false, count: n)
        var stratum = [Int32](repeating: 0, count: n)
        var events = 0
        order.withUnsafeBufferPointer { order in
            data.time.withUnsafeBufferPointer { t in
                data.event.withUnsafeBufferPointer { e in
                    for i in 0..<n {
                        time[i] = t[order[i]]
                        status[i] = e[order[i]]
                        if e[order[i]] { events += 1 }
                    }
                }
            }
            if let strata {
                strata.withUnsafeBufferPointer { s in for i in 0..<n { stratum[i] = s[order[i]] } }
            }
        }
        // Subjects of a stratum are contiguous: count the boundaries.
        var strataCount = 1
        for i in 1..<n where stratum[i] != stratum[i - 1] { strataCount += 1 }
        guard events > 0 else {
            throw StatisticsError(.tooFewEvents, "no events among the \(n) subjects, so a Cox model cannot be fitted")
        }

        // Centre and scale as coxfit6 does, except columns of -1/0/1 values (survival's `nocenter`).
        var x = [Double](repeating: 0, count: n * p)
        var scales = [Double](repeating: 1, count: p)
        var gathered = gather(design.columns, order: order)
        for j in 0..<p {
            guard !gathered[j].constant else {
                throw StatisticsError(.constantPredictor, "covariate \(design.names[j]) has the same value for every subject in the model")
            }
            scales[j] = gathered[j].scale
            gathered[j].values.withUnsafeBufferPointer { c in
                x.withUnsafeMutableBufferPointer { x in
                    for i in 0..<n { x[i &* p &+ j] = c[i] }
                }
            }
            gathered[j].values = []
        }
        return Prepared(
            time: time, status: status, stratum: stratum, x: x, scales: scales, strataCount: strataCount, events: events)
    }

    /// One gathered column, made by one thread of ``gather(_:order:)``.
    struct GatheredColumn: Sendable {
        /// The values in order, centred and scaled unless the column holds only −1, 0 and 1.
        var values: [Double] = []
        /// The factor the centred values were multiplied by (1 when not scaled).
        var scale = 1.0
        /// Every value the same (the model cannot estimate its coefficient).
        var constant = true
    }

    /// Each column's values in `order`, the columns on several threads at once: the reads are
    /// random over large arrays (memory-bound), so two cores gather nearly twice as fast. Each
    /// thread stores only its own columns' results; `concurrentPerform` returns after all.
    static func gather(_ columns: [[Double]], order: [Int]) -> [GatheredColumn] {
        let results = Mutex<[GatheredColumn]>(columns.map { _ in GatheredColumn() })
        let work: @Sendable (Int) -> Void = { j in
            let raw = columns[j]
            let n = order.count
            var constant = true
            var zeroOne = true
            var column = [Double](unsafeUninitializedCapacity: n) { buffer, count in
                raw.withUnsafeBufferPointer { raw in
                    order.withUnsafeBufferPointer { order in
                        let first = n > 0 ? raw[order[0]] : 0
                        for i in 0..<n {
                            let v = raw[order[i]]
                            buffer[i] = v
                            if v != first { constant = false }
                            if !(v == 0 || v == 1 || v == -1) { zeroOne = false }
                        }
                    }
                }
                count = n
            }
            var scale = 1.0
            // Centre and scale as coxfit6 does, except columns of -1/0/1 values (survival's
            // `nocenter`); sums in subject order, the same rounding as coxfit6's loops.
            if !zeroOne && !constant && n > 0 {
                column.withUnsafeMutableBufferPointer { c in
                    var sum = 0.0
                    for i in 0..<n { sum += c[i] }
                    let mean = sum / Double(n)
                    var absolute = 0.0
                    for i in 0..<n {
                        c[i] -= mean
                        absolute += abs(c[i])
                    }
                    scale = absolute > 0 ? Double(n) / absolute : 1
                    for i in 0..<n { c[i] *= scale }
                }
            }
            let gathered = GatheredColumn(values: column, scale: scale, constant: constant)
            results.withLock { $0[j] = gathered }
        }
        if columns.count > 1 && order.count >= 50_000 {
            DispatchQueue.concurrentPerform(iterations: columns.count, execute: work)
        } else {
            for j in columns.indices { work(j) }
        }
        return results.withLock { $0 }
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

import RealModule

/// The proportional-hazards test of a fitted Cox model, as survival (≥ 3)'s
/// `cox.zph(fit, transform = "km", terms = TRUE)` computes it: the score test of adding
/// β·g(t)·x for every covariate, g(t) = 1 − KM(t−) centred over the events, at the fitted β.
///
/// The "km" transform is the left-continuous Kaplan–Meier of all the model's subjects as one
/// group, also when the model is stratified (`cox.zph` calls `survfitKM` on a single factor);
/// risk sets are taken within strata, with the model's ties (Efron or Breslow), as survival's C
/// routine `zph1` does. A term with several coefficients (a factor) is one row with df = its
/// coefficients; the global test uses them all.
public struct CoxProportionalHazardsTest: Sendable, Hashable {
    /// One score test: statistic, degrees of freedom and upper-tail p (`pchisq(lower.tail = FALSE)`).
    public struct Row: Sendable, Hashable {
        public var chisq: Double
        public var df: Int
        public var p: Double
    }

    /// One row per entry of `groups`, in that order.
    public let terms: [Row]
    /// The test over every coefficient (`GLOBAL`).
    public let global: Row

    /// Tests the model's terms.
    ///
    /// - Parameter groups: for each term, the indices of its coefficients in the model.
    /// - Throws: `invalid_parameter` for an index outside the model, `too_few_events` without
    ///   events, `singular_matrix` when the test's information matrix cannot be inverted (e.g.
    ///   a covariate whose values do not change over the event times).
    public init(_ model: CoxModel, groups: [[Int]]) throws(StatisticsError) {
        try self.init(fitted: model.fitted, groups: groups)
    }

    /// The test on a model's fitted data (what ``CoxModel`` computes alongside its fit).
    init(fitted f: CoxModel.FittedData, groups: [[Int]]) throws(StatisticsError) {
        let p = f.p
        guard groups.allSatisfy({ $0.allSatisfy { (0..<p).contains($0) } && !$0.isEmpty }) else {
            throw StatisticsError(.invalidParameter, "a proportional-hazards term names no coefficient of the model")
        }
        let (u, information) =
            f.byRuns
            ? Self.scoreAndInformation(f, runWeight: try Self.runTransform(f))
            : Self.scoreAndInformationByRow(f, timeWeight: try Self.kmTransform(time: f.time, status: f.status))
        let dimension = 2 * p
        func test(_ columns: [Int]) throws(StatisticsError) -> Row {
            // Rows/columns: every coefficient (its score set to 0, as cox.zph's u0) and the
            // time-interaction of the tested ones.
            let index = Array(0..<p) + columns.map { $0 + p }
            let m = index.count
            var elements = [Double](repeating: 0, count: m * m)
            for (a, i) in index.enumerated() { for (b, j) in index.enumerated() { elements[a * m + b] = information[i * dimension + j] } }
            let score = [Double](repeating: 0, count: p) + columns.map { u[$0 + p] }
            guard let solution = SymmetricMatrix(dimension: m, elements: elements).solve(score) else {
                throw StatisticsError(.singularMatrix, "the information matrix of the proportional-hazards test is singular")
            }
            let chisq = zip(solution, score).reduce(0) { $0 + $1.0 * $1.1 }
            guard chisq.isFinite else {
                throw StatisticsError(.invalidValue, "the proportional-hazards test statistic is not finite")
            }
            return Row(chisq: chisq, df: columns.count, p: ChiSquared.upperTail(chisq, df: Double(columns.count)) ?? 1)
        }
        terms = try groups.map(test)
        global = try test(Array(0..<p))
    }

    /// g(t) = 1 − S(t−) per subject, S the KM of all subjects, centred by its mean over the
    /// events (`gtime <- ttimes - mean(ttimes[event])`).
    static func kmTransform(time: [Double], status: [Bool]) throws(StatisticsError) -> [Double] {
        let n = time.count
        // Unstratified fits are already in descending time order: read them backwards (no sort).
        let descending = zip(time, time.dropFirst()).allSatisfy { $0 >= $1 }
        let order: [Int32]
        if descending {
            order = (0..<Int32(n)).reversed()
        } else {
            do { order = try SurvivalData(time: time, event: status).order } catch let error as StatisticsError { throw error } catch {
                throw StatisticsError(.invalidValue, "\(error)")
            }
        }
        var transformed = [Double](repeating: 0, count: n)
        var atRisk = Double(n)
        var survival = 1.0
        var k = 0
        while k < n {
            let t = time[Int(order[k])]
            var end = k
            var deaths = 0.0
            while end < n && time[Int(order[end])] == t {
                if status[Int(order[end])] { deaths += 1 }
                transformed[Int(order[end])] = 1 - survival
                end += 1
            }
            if deaths > 0 { survival *= 1 - deaths / atRisk }  // survfitkm.c: km *= (1 - haz)
            atRisk -= Double(end - k)
            k = end
        }
        var sum = 0.0
        var events = 0
        for i in 0..<n where status[i] {
            sum += transformed[i]
            events += 1
        }
        guard events > 0 else {
            throw StatisticsError(.tooFewEvents, "no events, so proportional hazards cannot be tested")
        }
        let mean = sum / Double(events)
        return transformed.map { $0 - mean }
    }

    /// The centred transform of each run of ``RiskSetGroups`` (one time, so one value). With one
    /// stratum the runs are the distinct times, longest first, and the Kaplan–Meier is a pass
    /// over them; with strata, the subjects' values from ``kmTransform(time:status:)``.
    static func runTransform(_ f: CoxModel.FittedData) throws(StatisticsError) -> [Double] {
        let groups = f.groups
        let runs = groups.count
        guard groups.opensStratum.dropFirst().contains(true) else {
            var value = [Double](repeating: 0, count: runs)
            var atRisk = Double(f.time.count)
            var survival = 1.0
            var sum = 0.0
            var events = 0
            for g in (0..<runs).reversed() {
                let deaths = groups.deaths[g]
                value[g] = 1 - survival
                if deaths > 0 { survival *= 1 - Double(deaths) / atRisk }  // survfitkm.c: km *= (1 - haz)
                atRisk -= Double(groups.start[g + 1] - groups.start[g])
                sum += Double(deaths) * value[g]
                events += deaths
            }
            guard events > 0 else {
                throw StatisticsError(.tooFewEvents, "no events, so proportional hazards cannot be tested")
            }
            let mean = sum / Double(events)
            return value.map { $0 - mean }
        }
        let subjects = try kmTransform(time: f.time, status: f.status)
        return (0..<runs).map { subjects[groups.start[$0]] }
    }

    /// The score u (2p: the covariates, then their products with g) and the 2p × 2p
    /// information at the fitted β, as `zph1`'s backward pass: the risk-set sums are running
    /// totals of the runs' sums, and a run's deaths enter in d steps of 1/d each (Efron) or at
    /// once with weight d (Breslow), summed in closed form over the steps.
    static func scoreAndInformation(_ f: CoxModel.FittedData, runWeight g: [Double]) -> (u: [Double], information: [Double]) {
        let p = f.p
        let q = 2 * p
        let groups = f.groups
        let width = RiskSetGroups.width(p: p)
        let half = RiskSetGroups.half(p: p)
        let efron = f.ties == .efron
        // The deaths' covariates, as they are and times g: independent of the risk sets.
        var u = [Double](repeating: 0, count: q)
        for i in 0..<p { u[i] = groups.totalDeathSums[i] }
        f.x.withUnsafeBufferPointer { x in
            f.status.withUnsafeBufferPointer { status in
                var sum = [Double](repeating: 0, count: p)
                for run in 0..<groups.count where groups.deaths[run] > 0 {
                    // Σ x over the run's deaths, times the run's g.
                    for i in 0..<p { sum[i] = 0 }
                    for row in groups.start[run]..<groups.start[run + 1] where status[row] {
                        for i in 0..<p { sum[i] += x[row * p + i] }
                    }
                    for i in 0..<p { u[i + p] += g[run] * sum[i] }
                }
            }
        }
        var imat = [Double](repeating: 0, count: q * q)
        var a = [Double](repeating: 0, count: p)
        var cmat = [Double](repeating: 0, count: p * p)
        var denom = 0.0
        func pass(_ range: Range<Int>, _ sums: UnsafeBufferPointer<Double>) {
            for run in range {
                let c = (run - range.lowerBound) * width
                let d = c + half
                if groups.opensStratum[run] {
                    denom = 0
                    for j in 0..<p { a[j] = 0 }
                    for j in 0..<(p * p) { cmat[j] = 0 }
                }
                // The censorings join the risk set; the deaths after their terms.
                denom += sums[c]
                var t = 1 + p
                for i in 0..<p {
                    a[i] += sums[c + 1 + i]
                    for j in 0...i {
                        cmat[i * p + j] += sums[c + t]
                        t += 1
                    }
                }
                let deaths = groups.deaths[run]
                guard deaths > 0 else { continue }
                let timewt = g[run]
                let denom2 = sums[d]
                let dd = Double(deaths)
                // Over the steps k of f_k of the deaths (w_k = 1/(denom + f_k·denom2)): with
                // a_k = a + f_k·a2 and cmat_k = cmat + f_k·cmat2, Σ a_k·w_k = a·Σw + a2·Σf·w and
                // Σ (cmat_k − a_k a_kᵀ·w_k)·w_k = cmat·Σw + cmat2·Σf·w
                //   − (a aᵀ·Σw² + (a a2ᵀ + a2 aᵀ)·Σf·w² + a2 a2ᵀ·Σf²·w²).
                // Efron: f_k = k/d, k = 1…d; Breslow: one step, f = 1, weight d.
                var sw = 0.0
                var sfw = 0.0
                var sw2 = 0.0
                var sfw2 = 0.0
                var sf2w2 = 0.0
                if efron {
                    for k in 1...deaths {
                        let frac = Double(k) / dd
                        let w = 1 / (denom + frac * denom2)
                        sw += w
                        sfw += frac * w
                        sw2 += w * w
                        sfw2 += frac * w * w
                        sf2w2 += frac * frac * w * w
                    }
                } else {
                    let w = 1 / (denom + denom2)
                    sw = dd * w
                    sfw = sw
                    sw2 = dd * w * w
                    sfw2 = sw2
                    sf2w2 = sw2
                }
                t = 1 + p
                for i in 0..<p {
                    let a2i = sums[d + 1 + i]
                    let mean = a[i] * sw + a2i * sfw
                    u[i] -= mean
                    u[i + p] -= timewt * mean
                    for j in 0...i {
                        let a2j = sums[d + 1 + j]
                        let temp =
                            cmat[i * p + j] * sw + sums[d + t] * sfw
                            - (a[i] * a[j] * sw2 + (a[i] * a2j + a2i * a[j]) * sfw2 + a2i * a2j * sf2w2)
                        imat[j * q + i] += temp
                        imat[j * q + i + p] += timewt * temp
                        imat[(j + p) * q + i + p] += timewt * timewt * temp
                        t += 1
                    }
                }
                denom += denom2
                t = 1 + p
                for i in 0..<p {
                    a[i] += sums[d + 1 + i]
                    for j in 0...i {
                        cmat[i * p + j] += sums[d + t]
                        t += 1
                    }
                }
            }
        }
        // The fit's last pass was at the fitted β: its sums serve when it kept them.
        if let retained = f.runSums {
            groups.forEachBlock(retained: retained, pass)
        } else {
            groups.forEachBlock(beta: f.beta, x: f.x, status: f.status, pass)
        }
        // Fill the symmetric blocks as zph1 does.
        for i in 0..<p {
            for j in 0..<i {
                imat[i * q + j] = imat[j * q + i]
                imat[i * q + j + p] = imat[j * q + i + p]
                imat[(i + p) * q + j + p] = imat[(j + p) * q + i + p]
            }
        }
        for i in 0..<p { for j in 0..<p { imat[(i + p) * q + j] = imat[j * q + i + p] } }
        return (u, imat)
    }
}

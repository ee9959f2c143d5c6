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
        let g = try Self.kmTransform(time: f.time, status: f.status)
        let (u, information) = Self.scoreAndInformation(f, timeWeight: g)
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

    /// The score u (2p: the covariates, then their products with g) and the 2p × 2p
    /// information at the fitted β, one backward pass as `zph1`.
    static func scoreAndInformation(_ f: CoxModel.FittedData, timeWeight g: [Double]) -> (u: [Double], information: [Double]) {
        let n = f.time.count
        let p = f.p
        let q = 2 * p
        let etaMean = f.linearPredictor.reduce(0, +) / Double(max(n, 1))
        let risks = f.linearPredictor.map { Double.exp($0 - etaMean) }
        var sums = RiskSetSums(p: p)
        f.x.withUnsafeBufferPointer { x in
            risks.withUnsafeBufferPointer { risks in
                g.withUnsafeBufferPointer { g in
                    sums.accumulate(f, g: g, x: x, risks: risks)
                }
            }
        }
        var imat = sums.imat
        // Fill the symmetric blocks as zph1 does.
        for i in 0..<p {
            for j in 0..<i {
                imat[i * q + j] = imat[j * q + i]
                imat[i * q + j + p] = imat[j * q + i + p]
                imat[(i + p) * q + j + p] = imat[(j + p) * q + i + p]
            }
        }
        for i in 0..<p { for j in 0..<p { imat[(i + p) * q + j] = imat[j * q + i + p] } }
        return (sums.u, imat)
    }
}

/// The running sums of `zph1`'s backward pass: score, information and the risk-set sums.
private struct RiskSetSums {
    let p: Int
    var u: [Double]
    var imat: [Double]
    var a: [Double]
    var a2: [Double]
    var cmat: [Double]
    var cmat2: [Double]

    init(p: Int) {
        self.p = p
        u = [Double](repeating: 0, count: 2 * p)
        imat = [Double](repeating: 0, count: 4 * p * p)
        a = [Double](repeating: 0, count: p)
        a2 = a
        cmat = [Double](repeating: 0, count: p * p)
        cmat2 = cmat
    }

    /// One pass from the longest time to the shortest, risk sets within strata.
    mutating func accumulate(
        _ f: CoxModel.FittedData, g: UnsafeBufferPointer<Double>, x: UnsafeBufferPointer<Double>, risks: UnsafeBufferPointer<Double>
    ) {
        let n = f.time.count
        let q = 2 * p
        var denom = 0.0
        var person = 0
        var currentStratum: Int32? = nil
        while person < n {
            let t = f.time[person]
            let s = f.stratum[person]
            if s != currentStratum {
                currentStratum = s
                denom = 0
                for j in 0..<p { a[j] = 0 }
                for j in 0..<(p * p) { cmat[j] = 0 }
            }
            let timewt = g[person]
            var deaths = 0
            var denom2 = 0.0
            while person < n && f.time[person] == t && f.stratum[person] == s {
                let base = person * p
                let risk = risks[person]
                if f.status[person] {
                    deaths += 1
                    denom2 += risk
                    for i in 0..<p {
                        let xi = x[base + i]
                        u[i] += xi
                        u[i + p] += timewt * xi
                        a2[i] += risk * xi
                        for j in 0...i { cmat2[i * p + j] += risk * xi * x[base + j] }
                    }
                } else {
                    denom += risk
                    for i in 0..<p {
                        let xi = x[base + i]
                        a[i] += risk * xi
                        for j in 0...i { cmat[i * p + j] += risk * xi * x[base + j] }
                    }
                }
                person += 1
            }
            guard deaths > 0 else { continue }
            let d = Double(deaths)
            // Breslow: all deaths at once; Efron: d steps, adding 1/d of the deaths each time.
            let steps = f.ties == .efron ? deaths : 1
            let share = f.ties == .efron ? 1 / d : 1
            let weight = f.ties == .efron ? 1 : d
            for _ in 0..<steps {
                denom += denom2 * share
                for i in 0..<p {
                    a[i] += a2[i] * share
                    for j in 0...i { cmat[i * p + j] += cmat2[i * p + j] * share }
                }
                for i in 0..<p {
                    let mean = a[i] / denom
                    u[i] -= weight * mean
                    u[i + p] -= timewt * weight * mean
                    for j in 0...i {
                        let temp = weight * (cmat[i * p + j] - mean * a[j]) / denom
                        imat[j * q + i] += temp
                        imat[j * q + i + p] += timewt * temp
                        imat[(j + p) * q + i + p] += timewt * timewt * temp
                    }
                }
            }
            for j in 0..<p { a2[j] = 0 }
            for j in 0..<(p * p) { cmat2[j] = 0 }
        }
    }
}

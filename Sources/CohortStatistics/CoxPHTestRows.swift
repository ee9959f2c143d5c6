import RealModule

extension CoxProportionalHazardsTest {
    /// The score u (2p: the covariates, then their products with g) and the 2p × 2p
    /// information at the fitted β, one backward pass over the subjects as `zph1` (for a fit
    /// that summed row by row: short runs of one time).
    static func scoreAndInformationByRow(_ f: CoxModel.FittedData, timeWeight g: [Double]) -> (u: [Double], information: [Double]) {
        let n = f.time.count
        let p = f.p
        let q = 2 * p
        let etaMean = f.linearPredictor.reduce(0, +) / Double(max(n, 1))
        let risks = f.linearPredictor.map { Double.exp($0 - etaMean) }
        var sums = RowRiskSetSums(p: p)
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
private struct RowRiskSetSums {
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

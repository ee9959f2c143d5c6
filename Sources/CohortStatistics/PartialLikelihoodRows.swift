import RealModule

extension PartialLikelihood {
    /// The log partial likelihood, score and information in one pass over the subjects from the
    /// longest follow-up to the shortest, accumulating the risk-set sums row by row (coxfit6):
    /// for data whose runs of one time are short (continuous times), where per-run sums would
    /// cost more than they save.
    func evaluateByRow(_ beta: [Double]) -> Value {
        x.withUnsafeBufferPointer { x in
            time.withUnsafeBufferPointer { time in
                status.withUnsafeBufferPointer { status in
                    stratum.withUnsafeBufferPointer { stratum in
                        beta.withUnsafeBufferPointer { beta in
                            evaluateByRow(beta, x: x, time: time, status: status, stratum: stratum)
                        }
                    }
                }
            }
        }
    }

    /// The pass itself on raw buffers (no bounds checks or retains in the loop over subjects).
    private func evaluateByRow(
        _ beta: UnsafeBufferPointer<Double>, x: UnsafeBufferPointer<Double>, time: UnsafeBufferPointer<Double>,
        status: UnsafeBufferPointer<Bool>, stratum: UnsafeBufferPointer<Int32>
    ) -> Value {
        let n = time.count
        var loglik = 0.0
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: 4 * p + 4 * p * p)
        scratch.initialize(repeating: 0)
        defer { scratch.deallocate() }
        guard let base = scratch.baseAddress else { return Value(loglik: 0, score: [], information: [], runSums: nil) }
        let u = base
        let a = base + p
        let a2 = base + 2 * p
        let imat = base + 4 * p
        let cmat = imat + p * p
        let cmat2 = cmat + p * p
        var denom = 0.0
        var person = 0
        var currentStratum: Int32? = nil
        while person < n {
            let t = time[person]
            let s = stratum[person]
            if s != currentStratum {
                // A new stratum: its risk sets start empty (coxfit6 resets at a stratum boundary).
                currentStratum = s
                denom = 0
                for j in 0..<p { a[j] = 0 }
                for j in 0..<(p * p) { cmat[j] = 0 }
            }
            var deaths = 0
            var denom2 = 0.0
            while person < n && time[person] == t && stratum[person] == s {
                let row = person &* p
                var zbeta = 0.0
                for j in 0..<p { zbeta += beta[j] * x[row &+ j] }
                let risk = Double.exp(zbeta)
                denom += risk
                if status[person] {
                    deaths += 1
                    denom2 += risk
                    loglik += zbeta
                    for i in 0..<p {
                        let xi = x[row &+ i]
                        u[i] += xi
                        a2[i] += risk * xi
                        let rx = risk * xi
                        for j in 0..<(i &+ 1) { cmat2[i &* p &+ j] += rx * x[row &+ j] }
                    }
                } else {
                    for i in 0..<p {
                        let xi = x[row &+ i]
                        a[i] += risk * xi
                        let rx = risk * xi
                        for j in 0..<(i &+ 1) { cmat[i &* p &+ j] += rx * x[row &+ j] }
                    }
                }
                person += 1
            }
            guard deaths > 0 else { continue }
            // The deaths' sums join the risk set (coxfit6 adds every subject, deaths included).
            for i in 0..<p { a[i] += a2[i] }
            for j in 0..<(p * p) { cmat[j] += cmat2[j] }
            let dd = Double(deaths)
            switch ties {
            case .breslow:
                loglik -= dd * Double.log(denom)
                for i in 0..<p {
                    let mean = a[i] / denom
                    u[i] -= dd * mean
                    for j in 0...i {
                        imat[i * p + j] += dd * (cmat[i * p + j] - mean * a[j]) / denom
                    }
                }
            case .efron where deaths == 1:
                // coxfit6's terms with k = 0 as they are (one death: Efron is Breslow).
                loglik -= Double.log(denom)
                for i in 0..<p {
                    let mean = a[i] / denom
                    u[i] -= mean
                    for j in 0...i {
                        imat[i * p + j] += cmat[i * p + j] / denom - mean * a[j] / denom
                    }
                }
            case .efron:
                // Σ over the d deaths of coxfit6's terms, with w_k = 1/(denom − f_k·denom2),
                // f_k = k/d and m_k = (a − f_k·a2)·w_k:
                //   u −= Σ m_k = a·Σw − a2·Σf·w
                //   imat += Σ [(cmat − f_k·cmat2)·w_k − m_k m_kᵀ]
                //        = cmat·Σw − cmat2·Σf·w − (a aᵀ·Σw² − (a a2ᵀ + a2 aᵀ)·Σf·w² + a2 a2ᵀ·Σf²·w²),
                // so the work per death is scalar and the p × p work is once per event time.
                var sw = 0.0
                var sfw = 0.0
                var sw2 = 0.0
                var sfw2 = 0.0
                var sf2w2 = 0.0
                for k in 0..<deaths {
                    let frac = Double(k) / dd
                    let d2 = denom - frac * denom2
                    loglik -= Double.log(d2)
                    let w = 1 / d2
                    sw += w
                    sfw += frac * w
                    sw2 += w * w
                    sfw2 += frac * w * w
                    sf2w2 += frac * frac * w * w
                }
                for i in 0..<p {
                    u[i] -= a[i] * sw - a2[i] * sfw
                    for j in 0...i {
                        imat[i * p + j] +=
                            cmat[i * p + j] * sw - cmat2[i * p + j] * sfw
                            - (a[i] * a[j] * sw2 - (a[i] * a2[j] + a2[i] * a[j]) * sfw2 + a2[i] * a2[j] * sf2w2)
                    }
                }
            }
            // The deaths' own sums start empty at the next event time.
            for j in 0..<p { a2[j] = 0 }
            for j in 0..<(p * p) { cmat2[j] = 0 }
        }
        for i in 0..<p { for j in 0..<i { imat[j * p + i] = imat[i * p + j] } }
        return Value(
            loglik: loglik, score: Array(UnsafeBufferPointer(start: u, count: p)),
            information: Array(UnsafeBufferPointer(start: imat, count: p * p)), runSums: nil)
    }
}

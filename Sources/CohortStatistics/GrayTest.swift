/// Gray's test (1988) that the cumulative incidence of one cause is the same in every group:
/// `cmprsk::cuminc`'s `Tests` (its Fortran `crstm`/`crst`, one stratum, weight (1 − F(t−))^ρ).
///
/// The score of the first k − 1 groups with the variance of `crst`; the statistic sᵀV⁻¹s is
/// referred to χ² with k − 1 degrees of freedom, where k counts the groups with subjects (cuminc
/// drops empty levels). The p-value is computed as cmprsk does, `1 - pchisq(stat, k - 1)`.
public struct GrayTest: Sendable, Hashable {
    /// sᵀV⁻¹s, or `nil` with ``reason`` when V is singular (cmprsk reports −1).
    public var statistic: Double?
    public var df: Int
    public var p: Double?
    public var reason: String?

    /// - Parameters:
    ///   - data: the subjects in time order (all groups together).
    ///   - group: each subject's group code in the same order, `0..<groupCount` (negative: left out).
    ///   - cause: the cause of interest, `1...data.causeCount`.
    ///   - rho: the power of the weight (cuminc's `rho`, default 0).
    public init(_ data: SortedCompetingRisks, group: [Int32], groupCount: Int, cause: Int, rho: Double = 0) throws {
        guard group.count == data.count else {
            throw StatisticsError(.lengthMismatch, "\(data.count) subjects but \(group.count) group codes")
        }
        // Renumber the groups that have subjects 0..<ng (cuminc: factor(group, names(ugg)[ugg > 0])).
        var sizes = [Int](repeating: 0, count: groupCount)
        for g in group where g >= 0 {
            guard Int(g) < groupCount else { throw StatisticsError(.invalidParameter, "group code \(g) is not below \(groupCount)") }
            sizes[Int(g)] += 1
        }
        var dense = [Int](repeating: -1, count: groupCount)
        var ng = 0
        for g in 0..<groupCount where sizes[g] > 0 {
            dense[g] = ng
            ng += 1
        }
        df = max(ng - 1, 0)
        guard ng >= 2 else {
            statistic = nil
            p = nil
            reason = "fewer than two groups have patients"
            return
        }
        var time: [Double] = []
        var code: [Int] = []
        var member: [Int] = []
        time.reserveCapacity(data.count)
        code.reserveCapacity(data.count)
        member.reserveCapacity(data.count)
        for k in 0..<data.count where group[k] >= 0 {
            time.append(data.time[k])
            // crstm's m: 0 censored, 1 the cause of interest, 2 another cause.
            let c = Int(data.cause[k])
            code.append(c == 0 ? 0 : (c == cause ? 1 : 2))
            member.append(dense[Int(group[k])])
        }
        let (score, variance) = Self.scoreAndVariance(time: time, code: code, group: member, groups: ng, rho: rho)
        // cuminc: a <- qr(v); stat -1 unless a$rank == ncol(v); then s %*% qr.coef(a, I) %*% s.
        let qr = QRDecomposition(score.indices.map { i in score.indices.map { j in variance[i][j] } }, tolerance: 1e-7)
        guard score.allSatisfy(\.isFinite), variance.joined().allSatisfy(\.isFinite), let solved = qr.solve(score) else {
            statistic = nil
            p = nil
            reason = "the variance of the scores is singular (no events of this cause in enough groups)"
            return
        }
        let stat = zip(score, solved).reduce(0) { $0 + $1.0 * $1.1 }
        guard stat.isFinite, let upper = ChiSquared.upperTail(stat, df: Double(df)) else {
            statistic = nil
            p = nil
            reason = "the test statistic is not finite"
            return
        }
        statistic = stat
        // cmprsk: pv = 1 - pchisq(stat, ng - 1). R's pgamma gives the lower tail as 0.5 - Q + 0.5
        // from the upper tail Q it computes (pgamma.c), so the p keeps that rounding.
        p = 1 - (0.5 - upper + 0.5)
        reason = nil
    }

    /// `crst` for one stratum: the scores of groups `0..<groups − 1` and their variance matrix.
    static func scoreAndVariance(time y: [Double], code m: [Int], group ig: [Int], groups ng: Int, rho: Double) -> (
        [Double], [[Double]]
    ) {
        let n = y.count
        let ng1 = ng - 1
        var rs = [Int](repeating: 0, count: ng)
        for g in ig { rs[g] += 1 }
        var s = [Double](repeating: 0, count: ng1)
        var v = [[Double]](repeating: [Double](repeating: 0, count: ng1), count: ng1)
        var f1m = [Double](repeating: 0, count: ng)
        var f1 = [Double](repeating: 0, count: ng)
        var skmm = [Double](repeating: 1, count: ng)
        var skm = [Double](repeating: 1, count: ng)
        var v3 = [Double](repeating: 0, count: ng)
        var v2 = [[Double]](repeating: [Double](repeating: 0, count: ng), count: ng1)
        var c = [[Double]](repeating: [Double](repeating: 0, count: ng), count: ng)
        var a = [[Double]](repeating: [Double](repeating: 0, count: ng), count: ng)
        var d0 = [Int](repeating: 0, count: ng)
        var d1 = [Int](repeating: 0, count: ng)
        var d2 = [Int](repeating: 0, count: ng)
        var fm = 0.0
        var f = 0.0
        var ll = 0
        while ll < n {
            var lu = ll
            while lu + 1 < n && y[lu + 1] <= y[ll] { lu += 1 }
            for i in 0..<ng {
                d0[i] = 0
                d1[i] = 0
                d2[i] = 0
            }
            for i in ll...lu {
                switch m[i] {
                case 1: d1[ig[i]] += 1
                case 2: d2[ig[i]] += 1
                default: d0[ig[i]] += 1
                }
            }
            let nd1 = d1.reduce(0, +)
            let nd2 = d2.reduce(0, +)
            if nd1 > 0 || nd2 > 0 {
                var tr = 0.0
                var tq = 0.0
                for i in 0..<ng where rs[i] > 0 {
                    let r = Double(rs[i])
                    let td = Double(d1[i] + d2[i])
                    // skmm/f1m left-continuous, skm/f1 right-continuous (KM and cumulative incidence).
                    skm[i] = skmm[i] * (r - td) / r
                    f1[i] = f1m[i] + (skmm[i] * Double(d1[i])) / r
                    tr += r / skmm[i]
                    tq += r * (1 - f1m[i]) / skmm[i]
                }
                f = fm + Double(nd1) / tr
                let fb = rho == 0 ? 1 : Double.pow(1 - fm, rho)
                for i in 0..<ng {
                    for j in i..<ng { a[i][j] = 0 }
                    guard rs[i] > 0 else { continue }
                    let t1 = Double(rs[i]) / skmm[i]
                    a[i][i] = fb * t1 * (1 - t1 / tr)
                    if a[i][i] != 0 { c[i][i] += a[i][i] * Double(nd1) / (tr * (1 - fm)) }
                    for j in (i + 1)..<max(ng, i + 1) where rs[j] > 0 {
                        a[i][j] = -fb * t1 * Double(rs[j]) / (skmm[j] * tr)
                        if a[i][j] != 0 { c[i][j] += a[i][j] * Double(nd1) / (tr * (1 - fm)) }
                    }
                }
                for i in 1..<ng {
                    for j in 0..<i {
                        a[i][j] = a[j][i]
                        c[i][j] = c[j][i]
                    }
                }
                for i in 0..<ng1 where rs[i] > 0 {
                    s[i] += fb * (Double(d1[i]) - Double(nd1) * Double(rs[i]) * (1 - f1m[i]) / (skmm[i] * tq))
                }
                if nd1 > 0 {
                    for k in 0..<ng where rs[k] > 0 {
                        let t4 = skm[k] > 0 ? 1 - (1 - f) / skm[k] : 1
                        let t5 = nd1 > 1 ? 1 - Double(nd1 - 1) / (tr * skmm[k] - 1) : 1
                        let t3 = t5 * skmm[k] * Double(nd1) / (tr * Double(rs[k]))
                        v3[k] += t4 * t4 * t3
                        for i in 0..<ng1 {
                            let t1 = a[i][k] - t4 * c[i][k]
                            v2[i][k] += t1 * t4 * t3
                            for j in 0...i {
                                let t2 = a[j][k] - t4 * c[j][k]
                                v[i][j] += t1 * t2 * t3
                            }
                        }
                    }
                }
                if nd2 > 0 {
                    for k in 0..<ng where skm[k] > 0 && d2[k] > 0 {
                        let t4 = (1 - f) / skm[k]
                        let t5 = d2[k] > 1 ? 1 - Double(d2[k] - 1) / Double(rs[k] - 1) : 1
                        let t6 = Double(rs[k])
                        let t3 = t5 * ((skmm[k] * skmm[k]) * Double(d2[k])) / (t6 * t6)
                        v3[k] += t4 * t4 * t3
                        for i in 0..<ng1 {
                            let t1 = t4 * c[i][k]
                            v2[i][k] -= t1 * t4 * t3
                            for j in 0...i {
                                let t2 = t4 * c[j][k]
                                v[i][j] += t1 * t2 * t3
                            }
                        }
                    }
                }
            }
            if lu >= n - 1 { break }
            for i in ll...lu { rs[ig[i]] -= 1 }
            fm = f
            for i in 0..<ng {
                f1m[i] = f1[i]
                skmm[i] = skm[i]
            }
            ll = lu + 1
        }
        for i in 0..<ng1 {
            for j in 0...i {
                for k in 0..<ng {
                    v[i][j] += c[i][k] * c[j][k] * v3[k]
                    v[i][j] += c[i][k] * v2[j][k]
                    v[i][j] += c[j][k] * v2[i][k]
                }
                v[j][i] = v[i][j]
            }
        }
        return (s, v)
    }
}

/// Quadratic forms with the Moore–Penrose inverse of a small symmetric matrix, as `MASS::ginv`.
///
/// Why: tableone's SMD of a categorical variable is sqrt(dᵀ S⁺ d) with S often singular (a level
/// no patient has). The cyclic Jacobi method gives S = V Λ Vᵀ to full precision for the few
/// levels of a Table 1 variable; S⁺ keeps the eigenvalues above ginv's tolerance,
/// sqrt(machine ε) × the largest (for a symmetric matrix the singular values are |λ|).
public enum PseudoInverse {
    /// Eigenvalues and eigenvectors (columns of `vectors`, row-major n × n) of a symmetric matrix
    /// given row-major; `nil` when `matrix.count` is not n × n or a value is not finite.
    public static func symmetricEigen(_ matrix: [Double], size n: Int) -> (values: [Double], vectors: [Double])? {
        guard n >= 0, matrix.count == n * n, matrix.allSatisfy(\.isFinite) else { return nil }
        var a = matrix
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        if n < 2 { return (a, v) }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<n { off += a[i * n + j] * a[i * n + j] } }
            if off == 0 { break }
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    if apq == 0 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p]
                        let akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k]
                        let aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p]
                        let vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }

    /// dᵀ S⁺ d for symmetric S (row-major n × n) with ginv's tolerance; `nil` for malformed input.
    public static func quadraticForm(_ d: [Double], _ matrix: [Double], size n: Int) -> Double? {
        guard d.count == n, let (values, vectors) = symmetricEigen(matrix, size: n) else { return nil }
        let largest = values.map(abs).max() ?? 0
        let tolerance = Double.ulpOfOne.squareRoot() * largest
        var sum = 0.0
        for k in 0..<n where abs(values[k]) > max(tolerance, 0) {
            var projection = 0.0
            for i in 0..<n { projection += vectors[i * n + k] * d[i] }
            sum += projection * projection / values[k]
        }
        return sum
    }
}

/// Standardized mean differences between two groups, as tableone 0.13 computes them.
public enum StandardizedMeanDifference {
    /// The most levels (present in either group) the categorical SMD takes: its eigen
    /// decomposition costs O(K³) per sweep.
    public static let maximumLevels = 200
    /// |m₁ − m₂| / sqrt((s₁² + s₂²)/2) of two samples without missing values.
    ///
    /// - Throws: `empty_group` when a sample has fewer than two values (no variance);
    ///   `constant_predictor` when both variances are 0.
    public static func continuous(_ x: [Double], _ y: [Double]) throws -> Double {
        try continuous(Moments(x), Moments(y))
    }

    /// Count, mean and sample variance of one group, computed once for all the pairs it is in.
    public struct Moments: Sendable, Hashable {
        public var count: Int
        public var mean: Double
        public var variance: Double

        /// The moments of values without missing ones (mean and variance 0 below two values: unused).
        public init(_ values: [Double]) {
            count = values.count
            if values.count >= 2 {
                (mean, variance) = StandardizedMeanDifference.meanAndVariance(values)
            } else {
                mean = values.first ?? 0
                variance = 0
            }
        }
    }

    /// The SMD of two groups from their moments (tableone).
    public static func continuous(_ x: Moments, _ y: Moments) throws -> Double {
        guard x.count >= 2, y.count >= 2 else {
            throw StatisticsError(.emptyGroup, "a group has fewer than two values (no standard deviation)")
        }
        let mx = x.mean
        let my = y.mean
        let pooled = ((x.variance + y.variance) / 2).squareRoot()
        guard pooled > 0 else { throw StatisticsError(.constantPredictor, "the values do not vary within the groups") }
        return abs(mx - my) / pooled
    }

    /// sqrt(dᵀ S⁺ d) over levels 2…K with d = p₁ − p₂ and S = (S₁ + S₂)/2, S_g = diag(p_g) − p_g p_gᵀ
    /// (level proportions of each group's non-missing values; tableone with `MASS::ginv`).
    ///
    /// - Throws: `empty_group` when a group has no values.
    public static func categorical(counts first: [Int], _ second: [Int]) throws -> Double {
        let n1 = first.reduce(0, +)
        let n2 = second.reduce(0, +)
        guard n1 > 0, n2 > 0, first.count == second.count else {
            throw StatisticsError(.emptyGroup, "a group has no values")
        }
        // Levels 2…K that occur in either group: a level absent from both adds a zero row and
        // column to S and a zero to d, which change neither S⁺'s other entries nor ginv's
        // tolerance, so leaving it out gives the same value.
        let kept = (1..<max(first.count, 1)).filter { first[$0] + second[$0] > 0 }
        guard kept.count <= maximumLevels else {
            throw StatisticsError(
                .invalidParameter, "the variable has more than \(maximumLevels) levels (too many for the categorical SMD)")
        }
        let p1 = kept.map { Double(first[$0]) / Double(n1) }
        let p2 = kept.map { Double(second[$0]) / Double(n2) }
        let k = p1.count
        var s = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k {
                let s1 = (i == j ? p1[i] : 0) - p1[i] * p1[j]
                let s2 = (i == j ? p2[i] : 0) - p2[i] * p2[j]
                s[i * k + j] = (s1 + s2) / 2
            }
        }
        let d = zip(p1, p2).map { $0 - $1 }
        guard let q = PseudoInverse.quadraticForm(d, s, size: k) else {
            throw StatisticsError(.invalidValue, "the level proportions are not finite")
        }
        return max(q, 0).squareRoot()
    }

    /// Mean and sample variance (n − 1), with R's two-pass mean.
    static func meanAndVariance(_ x: [Double]) -> (Double, Double) {
        let n = Double(x.count)
        var sum = 0.0
        for v in x { sum += v }
        var m = sum / n
        var correction = 0.0
        for v in x { correction += v - m }
        m += correction / n
        var squares = 0.0
        for v in x { squares += (v - m) * (v - m) }
        return (m, squares / (n - 1))
    }
}

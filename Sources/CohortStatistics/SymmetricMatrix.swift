/// A small dense symmetric matrix with an LDLᵀ (generalised Cholesky) factorisation, as
/// survival's `cholesky2`/`chsolve2`/`chinv2` use for the Cox information matrix and `survdiff`
/// for the variance of observed − expected.
struct SymmetricMatrix: Sendable {
    let dimension: Int
    /// Row-major storage.
    var elements: [Double]

    init(_ rows: [[Double]]) {
        dimension = rows.count
        elements = rows.flatMap { $0 }
    }

    init(dimension: Int, elements: [Double]) {
        self.dimension = dimension
        self.elements = elements
    }

    subscript(i: Int, j: Int) -> Double {
        get { elements[i * dimension + j] }
        set { elements[i * dimension + j] = newValue }
    }

    /// The LDLᵀ factorisation of a symmetric positive semi-definite matrix.
    struct Factorisation {
        let dimension: Int
        /// Unit lower triangle L below the diagonal, D on the diagonal (0 for a dropped pivot).
        var factor: [Double]
        /// Indices of pivots below tolerance: directions in which the matrix is singular.
        var singular: [Int]
    }

    /// Factorises with `cholesky2`'s rule: a pivot below `tolerance` × the largest diagonal
    /// element is treated as zero (that direction is singular).
    func factorise(tolerance: Double = 1.818989403545856e-12) -> Factorisation {
        let n = dimension
        var m = elements
        var largest = 0.0
        for i in 0..<n where m[i * n + i] > largest { largest = m[i * n + i] }
        let eps = largest == 0 ? tolerance : largest * tolerance
        var singular: [Int] = []
        for i in 0..<n {
            let pivot = m[i * n + i]
            if !pivot.isFinite || pivot < eps {
                m[i * n + i] = 0
                singular.append(i)
                continue
            }
            for j in (i + 1)..<max(n, i + 1) {
                let temp = m[j * n + i] / pivot
                m[j * n + i] = temp
                m[j * n + j] -= temp * temp * pivot
                for k in (j + 1)..<max(n, j + 1) { m[k * n + j] -= temp * m[k * n + i] }
            }
        }
        return Factorisation(dimension: n, factor: m, singular: singular)
    }

    /// Solves M x = b; `nil` when M is singular.
    func solve(_ b: [Double]) -> [Double]? {
        let f = factorise()
        guard f.singular.isEmpty else { return nil }
        return f.solve(b)
    }
}

extension SymmetricMatrix.Factorisation {
    /// Solves M x = b (components along singular directions are set to 0, as `chsolve2` does).
    func solve(_ b: [Double]) -> [Double] {
        let n = dimension
        var y = b
        for i in 0..<n {
            var temp = y[i]
            for j in 0..<i { temp -= y[j] * factor[i * n + j] }
            y[i] = temp
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let d = factor[i * n + i]
            if d == 0 {
                y[i] = 0
                continue
            }
            var temp = y[i] / d
            for j in (i + 1)..<max(n, i + 1) { temp -= y[j] * factor[j * n + i] }
            y[i] = temp
        }
        return y
    }

    /// The inverse of M, column by column (rows and columns of singular directions are 0).
    func inverse() -> [[Double]] {
        let n = dimension
        var columns: [[Double]] = []
        for c in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[c] = 1
            columns.append(solve(e))
        }
        return (0..<n).map { i in (0..<n).map { j in columns[j][i] } }
    }
}

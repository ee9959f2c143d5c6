/// R's `qr()` of a small square matrix: LINPACK `dqrdc2` (Householder with limited column
/// pivoting), the rank rule that `cmprsk::cuminc` applies to Gray's variance (`qr(v)$rank`,
/// default `tol = 1e-7`), and `qr.coef` for a full-rank matrix.
struct QRDecomposition: Sendable {
    /// Columns of the reduced matrix (column-major), as dqrdc2 leaves them.
    private var columns: [[Double]]
    private var qraux: [Double]
    /// The rank: columns whose norm stayed above `tolerance` × their original norm.
    let rank: Int

    /// dqrdc2: a column is negligible when its norm, as the reduction proceeds, falls below
    /// `tolerance` × its own original norm (not the largest column's), and is moved to the end.
    init(_ rows: [[Double]], tolerance: Double = 1e-7) {
        let n = rows.count
        let p = n
        var x = (0..<p).map { j in (0..<n).map { i in rows[i][j] } }
        func norm(_ v: ArraySlice<Double>) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        var qraux = x.map { norm($0[...]) }
        var original = qraux.map { $0 == 0 ? 1 : $0 }
        var k = p + 1
        for l in stride(from: 1, through: n, by: 1) {
            let c = l - 1
            while l < k && qraux[c] < original[c] * tolerance {
                x.append(x.remove(at: c))
                qraux.append(qraux.remove(at: c))
                original.append(original.remove(at: c))
                k -= 1
            }
            if l == n { break }
            var nrmxl = norm(x[c][c...])
            if nrmxl == 0 { continue }
            if x[c][c] != 0 { nrmxl = x[c][c] < 0 ? -abs(nrmxl) : abs(nrmxl) }
            let scale = 1 / nrmxl
            for i in c..<n { x[c][i] *= scale }
            x[c][c] += 1
            for j in (c + 1)..<p {
                var dot = 0.0
                for i in c..<n { dot += x[c][i] * x[j][i] }
                let t = -dot / x[c][c]
                for i in c..<n { x[j][i] += t * x[c][i] }
                if qraux[j] == 0 { continue }
                let ratio = abs(x[j][c]) / qraux[j]
                let tt = max(1 - ratio * ratio, 0)
                if abs(tt) < 1e-6 {
                    qraux[j] = norm(x[j][(c + 1)...])
                } else {
                    qraux[j] *= tt.squareRoot()
                }
            }
            qraux[c] = x[c][c]
            x[c][c] = -nrmxl
        }
        columns = x
        self.qraux = qraux
        rank = min(k - 1, n)
    }

    /// `qr.coef(qr, b)` for a full-rank matrix (dqrsl: Qᵀb, then back-substitution); `nil` when
    /// the rank is not full.
    func solve(_ b: [Double]) -> [Double]? {
        let n = columns.count
        guard rank == n, b.count == n else { return nil }
        var x = columns
        var y = b
        for j in 0..<max(0, min(rank, n - 1)) where qraux[j] != 0 {
            let saved = x[j][j]
            x[j][j] = qraux[j]
            var dot = 0.0
            for i in j..<n { dot += x[j][i] * y[i] }
            let t = -dot / x[j][j]
            for i in j..<n { y[i] += t * x[j][i] }
            x[j][j] = saved
        }
        for j in stride(from: n - 1, through: 0, by: -1) {
            y[j] /= x[j][j]
            let t = -y[j]
            for i in 0..<j { y[i] += t * x[j][i] }
        }
        return y
    }
}

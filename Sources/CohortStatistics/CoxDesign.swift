/// The covariates of a Cox model: numeric columns, and categorical variables expanded into
/// treatment-coded dummy columns against a reference level (R's default contrasts).
public struct CoxDesign: Sendable, Hashable {
    /// One column per model term, each as long as the data.
    public private(set) var columns: [[Double]] = []
    /// Term names: the variable's name, or `variable=level` for a dummy column.
    public private(set) var names: [String] = []
    /// The variable each column came from.
    public private(set) var variables: [String] = []

    public init() {}

    /// Adds a numeric covariate; NaN marks a missing value (the subject is left out of the fit).
    public mutating func addNumeric(_ name: String, _ values: [Double]) {
        columns.append(values)
        names.append(name)
        variables.append(name)
    }

    /// Adds a categorical covariate given as codes `0..<levels.count` (negative = missing).
    ///
    /// One 0/1 column per level after the reference, named `name=level`. The reference is
    /// `reference` when given, else the first level that occurs among the subjects with this
    /// variable present (levels that never occur get no column, as R drops unused levels).
    public mutating func addCategorical(_ name: String, codes: [Int32], levels: [String], reference: Int? = nil) {
        var present = [Bool](repeating: false, count: levels.count)
        for c in codes where c >= 0 && Int(c) < levels.count { present[Int(c)] = true }
        let used = levels.indices.filter { present[$0] }
        let ref = reference.flatMap { present.indices.contains($0) ? $0 : nil } ?? used.first
        for level in used where level != ref {
            columns.append(
                codes.map { c in
                    c < 0 || Int(c) >= levels.count ? .nan : (Int(c) == level ? 1 : 0)
                })
            names.append("\(name)=\(levels[level])")
            variables.append(name)
        }
    }
}

extension CoxDesign {
    /// The indices of the columns (model coefficients) that came from `variable`.
    public func columns(of variable: String) -> [Int] {
        variables.indices.filter { variables[$0] == variable }
    }

    /// The design without `variable`'s columns, on the same subjects: a subject missing that
    /// variable stays out (its remaining values become NaN), so that a model refitted without
    /// the variable uses the rows of the full model (the likelihood-ratio test of a factor).
    public func removing(_ variable: String) -> CoxDesign {
        let dropped = columns(of: variable)
        var reduced = CoxDesign()
        let count = columns.first?.count ?? 0
        var missing = [Bool](repeating: false, count: count)
        for j in dropped { for i in 0..<count where columns[j][i].isNaN { missing[i] = true } }
        for j in columns.indices where variables[j] != variable {
            var column = columns[j]
            for i in 0..<count where missing[i] { column[i] = .nan }
            reduced.columns.append(column)
            reduced.names.append(names[j])
            reduced.variables.append(variables[j])
        }
        return reduced
    }
}

import CohortData
public import CohortPluginAPI
import CohortReport
public import CohortStatistics

/// `plugin: cox` — Cox proportional-hazards models: one per variable (`univariable`) and one with
/// all listed variables (`multivariable`), with hazard ratios, CIs, Wald and likelihood-ratio
/// tests; optionally stratified (`strata`), with the proportional-hazards test of `cox.zph`
/// (`ph_test`) and a test per multi-level factor (`factor_test`).
///
/// Issue 11: `landmark: L` (the patients followed at L, on the clock time − L, see ``Landmark``),
/// and the default PH check: every model fitted without `ph_test: true` still runs the same
/// `cox.zph` test, keeps its table out of the result and the report, and raises `ph_violated`
/// below `ph_alpha` — unless the analysis has `checks: false`, when it is not computed at all.
public enum CoxPlugin: AnalysisPlugin {
    public static let name = "cox"

    public enum Key: String, ParameterKey {
        case univariable, multivariable, ties, conf_level, title, strata, ph_test, ph_alpha, factor_test, landmark
    }

    /// How a factor with 3+ declared levels is tested as a whole.
    public enum FactorTestMethod: String, Sendable, CaseIterable {
        /// bᵀV⁻¹b over its coefficients (EZR's `waldtest`).
        case wald
        /// 2 (ℓ − ℓ without the factor), refitted on the same rows and strata.
        case lr
        case none
    }

    public struct Parameters: Sendable {
        public var univariable: [String]
        public var multivariable: [String]
        public var ties: CoxModel.Ties
        public var confLevel: Double
        public var title: String?
        public var labels: [String: String]
        /// Strata columns: several form one interaction (`strata(a, b)`).
        public var strata: [String]
        public var phTest: Bool
        /// `ph_violated` is raised below this p.
        public var phAlpha: Double
        public var factorTest: FactorTestMethod
        /// `landmark`: only patients followed at this time, on the clock time − landmark.
        public var landmark: Double? = nil
        /// Method checks on (`checks:`, ``AnalysisContext/checks``): without `ph_test`, the
        /// default PH check runs only when this is true.
        public var checks: Bool = true
        /// The survival time's unit (for the methods text).
        public var unit: String = "months"

        /// Whether `cox.zph` is computed with each fit: asked for, or as the default check.
        var computesPHTest: Bool { phTest || checks }
    }

    static let covariateKinds: Set<ColumnKind> = [.number, .integer, .category, .boolean]

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let uni = try m[.univariable].map { try context.variables($0, kinds: covariateKinds) } ?? []
        let multi = try m[.multivariable].map { try context.variables($0, kinds: covariateKinds) } ?? []
        let ties = try m.ties(.ties, profile: context.profile)
        let level = try m.confidenceLevel(.conf_level)
        let title = try m.string(.title)
        var strata: [String] = []
        if let value = m[.strata] {
            let items = value.shape == .scalar ? [value] : try value.items()
            for item in items {
                let name = try context.variable(item, kinds: [.category, .boolean])
                if uni.contains(name) || multi.contains(name) {
                    throw item.error(.invalidValue, "'\(name)' is a covariate of the models; it cannot also be a stratum")
                }
                if strata.contains(name) { throw item.error(.duplicate, "'\(name)' is listed twice under strata") }
                strata.append(name)
            }
        }
        let phTest = try m.boolean(.ph_test) ?? false
        var phAlpha = 0.05
        if let value = m[.ph_alpha] {
            phAlpha = try value.number()
            guard phAlpha > 0 && phAlpha < 1 else { throw value.error(.invalidValue, "ph_alpha must be between 0 and 1") }
        }
        // Default wald: EZR prints the Wald test of every multi-level factor.
        let factorTest = try m.choice(.factor_test, FactorTestMethod.self) ?? .wald
        if uni.isEmpty && multi.isEmpty { throw m.error(.missingKey, "list variables under univariable or multivariable") }
        if let value = m[.multivariable], Set(multi).count != multi.count {
            throw value.error(.duplicate, "a variable is listed twice under multivariable")
        }
        return Parameters(
            univariable: uni, multivariable: multi, ties: ties, confLevel: level, title: title, labels: context.labels, strata: strata,
            phTest: phTest, phAlpha: phAlpha, factorTest: factorTest, landmark: try m.landmark(.landmark), checks: context.checks,
            unit: survival.unit)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _, landmark) = try input.survival(landmark: p.landmark)
        let strata = try p.strata.isEmpty ? nil : strataCodes(p.strata, rows: rows, input: input)
        var specs: [(ModelKind, [String])] = p.univariable.map { (.univariable, [$0]) }
        if !p.multivariable.isEmpty { specs.append((.multivariable, p.multivariable)) }
        var models: [Model] = []
        var warnings: [MethodWarning] = []
        for (kind, variables) in specs {
            var fitter = ModelFitter(parameters: p, kind: kind, variables: variables, data: data, strata: strata)
            let model = try fitter.fit(input: input, rows: rows)
            models.append(model)
            warnings.append(contentsOf: fitter.warnings)
        }
        warnings += input.immortalTimeWarnings(for: p.univariable + p.multivariable, rows: rows, landmark: p.landmark)
        return Output(ties: p.ties.rawValue, models: models, landmark: landmark, warnings: warnings)
    }

    /// One stratum code per subject (−1 when a strata column is missing): the interaction of
    /// the strata columns, numbered densely in order of first appearance (renumbered after each
    /// column, so that no code overflows however many columns and levels there are).
    ///
    /// Each column is combined through a table indexed by (code so far, level): an array
    /// lookup per row, no hashing.
    static func strataCodes(_ names: [String], rows: RowSelection, input: AnalysisInput) throws -> [Int32] {
        var combined = [Int32](repeating: 0, count: rows.count)
        var strataSoFar = 1
        for name in names {
            let (codes, levels) = try input.groups(name, rows: rows)
            combined = denselyCombined(combined, strataSoFar: strataSoFar, with: codes, levels: levels.count)
            strataSoFar = Int((combined.max() ?? -1) + 1)
        }
        return combined
    }

    /// `previous` (codes `0..<strataSoFar`, −1 = missing) crossed with `codes` (`0..<levels`,
    /// negative or out of range = missing), renumbered `0, 1, …` in order of first appearance.
    static func denselyCombined(_ previous: [Int32], strataSoFar: Int, with codes: [Int32], levels: Int) -> [Int32] {
        let count = min(previous.count, codes.count)
        var out = [Int32](repeating: -1, count: count)
        // (code so far) × (level) cells: at most one per row that can occur, so the table is
        // bounded by the previous strata times this column's levels (both ≤ the rows).
        let radix = max(levels, 1)
        let cells = strataSoFar.multipliedReportingOverflow(by: radix)
        if !cells.overflow && cells.partialValue <= max(4 * count, 1 << 16) {
            var table = [Int32](repeating: -1, count: cells.partialValue)
            var next: Int32 = 0
            for k in 0..<count {
                let s = Int(previous[k])
                let c = Int(codes[k])
                guard s >= 0, s < strataSoFar, c >= 0, c < radix else { continue }
                let cell = s * radix + c
                if table[cell] < 0 {
                    table[cell] = next
                    next += 1
                }
                out[k] = table[cell]
            }
        } else {
            // Very many combinations: a dictionary over the ones that occur.
            var dense: [Int: Int32] = [:]
            for k in 0..<count {
                let s = Int(previous[k])
                let c = Int(codes[k])
                guard s >= 0, c >= 0, c < radix else { continue }
                let key = s * radix + c
                if let d = dense[key] {
                    out[k] = d
                } else {
                    let d = Int32(dense.count)
                    dense[key] = d
                    out[k] = d
                }
            }
        }
        return out
    }
}

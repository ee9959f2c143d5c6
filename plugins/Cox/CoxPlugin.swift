import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: cox` — Cox proportional-hazards models: one per variable (`univariable`) and one with
/// all listed variables (`multivariable`), with hazard ratios, CIs, Wald and likelihood-ratio tests.
public enum CoxPlugin: AnalysisPlugin {
    public static let name = "cox"

    public enum Key: String, ParameterKey {
        case univariable, multivariable, ties, conf_level, title
    }

    public struct Parameters: Sendable {
        public var univariable: [String]
        public var multivariable: [String]
        public var ties: CoxModel.Ties
        public var confLevel: Double
        public var title: String?
        public var labels: [String: String]
    }

    public struct Term: Encodable, Sendable {
        public var term: String
        public var coef: Double
        public var hr: Double
        public var se: Double
        public var hr_lower: Double
        public var hr_upper: Double
        public var p: Double
        /// The variable the term belongs to (for the report; not in results.json).
        public var variable: String

        enum CodingKeys: String, CodingKey { case term, coef, hr, se, hr_lower, hr_upper, p }

        /// The level a dummy term stands for (`sex=Male` → "Male"); `nil` for a numeric term.
        public var level: String? { term == variable ? nil : String(term.dropFirst(variable.count + 1)) }
    }

    /// One model per variable, or one with all of them.
    public enum ModelKind: String, Encodable, Sendable {
        case univariable, multivariable
    }

    public struct LRTest: Encodable, Sendable {
        public var chisq: Double
        public var df: Int
        public var p: Double
    }

    public struct Model: Encodable, Sendable {
        public var kind: ModelKind
        public var variables: [String]
        public var n: Int?
        public var events: Int?
        public var terms: [Term]
        public var loglik: [Double]?
        public var lr_test: LRTest?
        public var concordance: Double?
        public var converged: Bool?
        public var warnings: [String]
        public var error: String?
    }

    public struct Output: Encodable, Sendable {
        public var ties: String
        public var models: [Model]
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        _ = try context.requireSurvival(at: m.value)
        let kinds: Set<ColumnKind> = [.number, .integer, .category, .boolean]
        let uni = try m[.univariable].map { try context.variables($0, kinds: kinds) } ?? []
        let multi = try m[.multivariable].map { try context.variables($0, kinds: kinds) } ?? []
        let ties = try m.ties(.ties, profile: context.profile)
        let level = try m.confidenceLevel(.conf_level)
        let title = try m.string(.title)
        if uni.isEmpty && multi.isEmpty { throw m.error(.missingKey, "list variables under univariable or multivariable") }
        return Parameters(univariable: uni, multivariable: multi, ties: ties, confLevel: level, title: title, labels: context.labels)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _) = try input.survival()
        var specs: [(ModelKind, [String])] = p.univariable.map { (.univariable, [$0]) }
        if !p.multivariable.isEmpty { specs.append((.multivariable, p.multivariable)) }
        var models: [Model] = []
        for (kind, variables) in specs {
            do {
                var design = CoxDesign()
                for v in variables {
                    let column = try input.column(v)
                    switch column.data {
                    case .boolean(let flags):
                        // Reference "no": the term is variable=yes.
                        design.addCategorical(v, codes: rows.map { flags[$0] < 0 ? -1 : Int32(flags[$0]) }, levels: ["no", "yes"])
                    case .category(let codes, let levels):
                        design.addCategorical(v, codes: rows.map { codes[$0] }, levels: levels)
                    default:
                        guard let values = column.numbers else { throw AnalysisError(.typeMismatch, "'\(v)' cannot be a covariate") }
                        design.addNumeric(v, rows.map { values[$0] })
                    }
                }
                let model = try CoxModel(data, design: design, ties: p.ties, confidenceLevel: p.confLevel)
                models.append(
                    Model(
                        kind: kind, variables: variables, n: model.count, events: model.events,
                        terms: zip(model.terms, design.variables).map { term, variable in
                            Term(
                                term: term.name, coef: term.coefficient, hr: term.hazardRatio, se: term.standardError,
                                hr_lower: term.hazardRatioLower, hr_upper: term.hazardRatioUpper, p: term.p, variable: variable)
                        },
                        loglik: [model.nullLogLikelihood, model.logLikelihood],
                        lr_test: LRTest(chisq: model.likelihoodRatioChiSquare, df: model.likelihoodRatioDegreesOfFreedom, p: model.likelihoodRatioP),
                        concordance: model.concordance, converged: model.converged, warnings: model.warnings, error: nil))
            } catch let error as StatisticsError {
                models.append(
                    Model(
                        kind: kind, variables: variables, n: nil, events: nil, terms: [], loglik: nil, lr_test: nil,
                        concordance: nil, converged: nil, warnings: [], error: error.message))
            }
        }
        return Output(ties: p.ties.rawValue, models: models)
    }

    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        var rows: [[ReportCell]] = []
        for model in o.models {
            let kind = model.kind == .univariable ? "Univariable" : "Multivariable"
            if let error = model.error {
                rows.append([
                    .text(kind), .text(model.variables.map { p.labels[$0] ?? $0 }.joined(separator: ", ")), .text("not estimable: \(error)"),
                    .text(""), .text(""),
                ])
                continue
            }
            for term in model.terms {
                var name = p.labels[term.variable] ?? term.variable
                if let level = term.level { name += " (\(level))" }
                rows.append([
                    .text(kind), .text(name),
                    .text(
                        "\(Format.fixed(term.hr, digits: 2)) (\(Format.fixed(term.hr_lower, digits: 2))–\(Format.fixed(term.hr_upper, digits: 2)))"),
                    .text(Format.pValue(term.p)), .text(model.warnings.isEmpty ? "" : model.warnings.joined(separator: "; ")),
                ])
            }
        }
        let level = Format.short(100 * p.confLevel)
        return [
            .table(
                ReportTable(
                    name: "cox_models", title: p.title ?? "Cox proportional-hazards models",
                    header: ["Model", "Variable", "HR (\(level)% CI)", "p", "Warnings"], rows: rows,
                    note: "Ties: \(o.ties); Wald p-values."))
        ]
    }
}

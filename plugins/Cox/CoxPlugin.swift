public import CohortPluginSDK
public import CohortStatistics

/// `plugin: cox` — Cox proportional-hazards models: one per variable (`univariable`) and one with
/// all listed variables (`multivariable`), with hazard ratios, CIs, Wald and likelihood-ratio tests.
public enum CoxPlugin: AnalysisPlugin {
    public static let name = "cox"
    public static let parameterKeys = ["univariable", "multivariable", "ties", "conf_level", "title"]

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
    }

    public struct LRTest: Encodable, Sendable {
        public var chisq: Double
        public var df: Int
        public var p: Double
    }

    public struct Model: Encodable, Sendable {
        public var kind: String
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

    public static func parameters(from m: YAMLMapping, in context: PipelineContext) throws -> Parameters {
        _ = try context.survival(for: m.node)
        let kinds: Set<ColumnKind> = [.number, .integer, .category, .boolean]
        let uni = try m["univariable"]?.list().map { try context.variable($0, kinds: kinds) } ?? []
        let multi = try m["multivariable"]?.list().map { try context.variable($0, kinds: kinds) } ?? []
        if uni.isEmpty && multi.isEmpty { throw m.node.error(.missingKey, "list variables under univariable or multivariable") }
        let defaultTies: CoxModel.Ties = context.pipeline.profile == .ezr ? .breslow : .efron
        let level = try m["conf_level"]?.double() ?? 0.95
        if !(level > 0 && level < 1), let node = m["conf_level"] { throw node.error(.invalidValue, "conf_level must be between 0 and 1") }
        return Parameters(univariable: uni, multivariable: multi, ties: try m["ties"]?.choice(CoxModel.Ties.self) ?? defaultTies,
                          confLevel: level, title: try m["title"]?.string(), labels: context.pipeline.labels)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _) = try input.survival()
        var specs = p.univariable.map { ("univariable", [$0]) }
        if !p.multivariable.isEmpty { specs.append(("multivariable", p.multivariable)) }
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
                        guard let values = column.numbers else { throw AnalysisError("type_mismatch", "'\(v)' cannot be a covariate") }
                        design.addNumeric(v, rows.map { values[$0] })
                    }
                }
                let model = try CoxModel(data, design: design, ties: p.ties, confidenceLevel: p.confLevel)
                models.append(Model(
                    kind: kind, variables: variables, n: model.count, events: model.events,
                    terms: model.terms.map {
                        Term(term: $0.name, coef: $0.coefficient, hr: $0.hazardRatio, se: $0.standardError,
                             hr_lower: $0.hazardRatioLower, hr_upper: $0.hazardRatioUpper, p: $0.p)
                    },
                    loglik: [model.nullLogLikelihood, model.logLikelihood],
                    lr_test: LRTest(chisq: model.likelihoodRatioChiSquare, df: model.likelihoodRatioDegreesOfFreedom, p: model.likelihoodRatioP),
                    concordance: model.concordance, converged: model.converged, warnings: model.warnings, error: nil))
            } catch let error as StatisticsError {
                models.append(Model(kind: kind, variables: variables, n: nil, events: nil, terms: [], loglik: nil, lr_test: nil,
                                    concordance: nil, converged: nil, warnings: [], error: error.message))
            }
        }
        return Output(ties: p.ties.rawValue, models: models)
    }

    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        var rows: [[ReportCell]] = []
        for model in o.models {
            let kind = model.kind == "univariable" ? "Univariable" : "Multivariable"
            if let error = model.error {
                rows.append([.text(kind), .text(model.variables.map { p.labels[$0] ?? $0 }.joined(separator: ", ")), .text("not estimable: \(error)"), .text(""), .text("")])
                continue
            }
            for term in model.terms {
                let variable = term.term.split(separator: "=").first.map(String.init) ?? term.term
                var name = p.labels[variable] ?? variable
                if term.term.contains("=") { name += " (" + term.term.dropFirst(variable.count + 1) + ")" }
                rows.append([.text(kind), .text(name),
                             .text("\(Format.fixed(term.hr, digits: 2)) (\(Format.fixed(term.hr_lower, digits: 2))–\(Format.fixed(term.hr_upper, digits: 2)))"),
                             .text(Format.pValue(term.p)), .text(model.warnings.isEmpty ? "" : model.warnings.joined(separator: "; "))])
            }
        }
        let level = Format.short(100 * p.confLevel)
        return [.table(ReportTable(name: "cox_models", title: p.title ?? "Cox proportional-hazards models",
                                   header: ["Model", "Variable", "HR (\(level)% CI)", "p", "Warnings"], rows: rows,
                                   note: "Ties: \(o.ties); Wald p-values."))]
    }
}

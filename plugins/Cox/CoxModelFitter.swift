import CohortData
import CohortJSON
import CohortPluginAPI
import CohortReport
import CohortStatistics

extension CoxPlugin {
    /// Fits one model of the analysis with its PH test and factor tests, collecting the model's
    /// method checks in `warnings`.
    struct ModelFitter {
        let parameters: Parameters
        let kind: ModelKind
        let variables: [String]
        let data: SurvivalData
        let strata: [Int32]?
        private(set) var warnings: [MethodWarning] = []

        init(parameters: Parameters, kind: ModelKind, variables: [String], data: SurvivalData, strata: [Int32]?) {
            self.parameters = parameters
            self.kind = kind
            self.variables = variables
            self.data = data
            self.strata = strata
        }

        func label(_ v: String) -> String { parameters.labels[v] ?? v }

        /// "the univariable model of age" / "the multivariable model", for messages.
        var modelName: String {
            kind == .univariable ? "the univariable model of \(variables.map(label).joined(separator: ", "))" : "the multivariable model"
        }

        /// A `not_estimable` check: `what` names the figure ("The hazard ratio of age"), or is
        /// `nil` for the whole model.
        mutating func notEstimable(_ what: String?, _ reason: String) {
            let subject = what.map { "\($0) in \(modelName)" } ?? (modelName.prefix(1).uppercased() + modelName.dropFirst())
            warnings.append(
                MethodWarning(.notEstimable, "\(subject) is not estimable: \(reason)", details: [("what", .string(what ?? "model"))]))
        }

        mutating func fit(input: AnalysisInput, rows: [Int]) throws -> Model {
            var design = CoxDesign()
            var references: [String: String] = [:]
            var declaredLevels: [String: Int] = [:]
            for v in variables {
                let column = try input.column(v)
                switch column.data {
                case .boolean(let flags):
                    // Reference "no": the term is variable=yes.
                    design.addCategorical(v, codes: rows.map { flags[$0] < 0 ? -1 : Int32(flags[$0]) }, levels: ["no", "yes"])
                    references[v] = "no"
                    declaredLevels[v] = 2
                case .category(let codes, let levels):
                    // Reference: the first declared level that occurs (R's factor(levels = declared)).
                    design.addCategorical(v, codes: rows.map { codes[$0] }, levels: levels)
                    var present = [Bool](repeating: false, count: levels.count)
                    for r in rows where codes[r] >= 0 && Int(codes[r]) < levels.count { present[Int(codes[r])] = true }
                    references[v] = levels.indices.first { present[$0] }.map { levels[$0] }
                    declaredLevels[v] = levels.count
                default:
                    guard let values = column.numbers else { throw AnalysisError(.typeMismatch, "'\(v)' cannot be a covariate") }
                    design.addNumeric(v, rows.map { values[$0] })
                }
            }
            var model = Model(
                kind: kind, variables: variables, n: nil, events: nil, terms: [], loglik: nil, lr_test: nil, concordance: nil,
                converged: nil, strata: parameters.strata, ph_test: nil,
                ph_test_reason: parameters.phTest ? nil : "not requested (ph_test: false)", factor_tests: [], warnings: [], error: nil,
                reason: nil, references: references)
            let fit: CoxModel
            do {
                fit = try CoxModel(data, design: design, strata: strata, ties: parameters.ties, confidenceLevel: parameters.confLevel)
            } catch let error as StatisticsError {
                model.error = error.message
                model.reason = error.message
                if parameters.phTest { model.ph_test_reason = "the model could not be fitted" }
                notEstimable(nil, error.message)
                return model
            }
            model.n = fit.count
            model.events = fit.events
            model.loglik = [fit.nullLogLikelihood, fit.logLikelihood]
            model.lr_test = LRTest(chisq: fit.likelihoodRatioChiSquare, df: fit.likelihoodRatioDegreesOfFreedom, p: fit.likelihoodRatioP)
            model.concordance = fit.concordance
            model.converged = fit.converged
            model.warnings = fit.warnings

            // Terms that are not estimable: every one when the fit did not converge; else a level
            // without events, or a coefficient coxph.fit flags as possibly infinite.
            let noEvents = Self.columnsWithoutEvents(design, data: data, strata: strata)
            var unusable: [Int: String] = [:]
            for j in design.names.indices {
                if !fit.converged {
                    unusable[j] = "the model did not converge in 20 iterations"
                } else if let reason = noEvents[j] {
                    unusable[j] = reason
                } else if fit.possiblyInfinite.contains(j) {
                    unusable[j] = "the coefficient may be infinite (the likelihood converged before it)"
                }
            }
            model.terms = zip(fit.terms, design.variables).enumerated().map { j, pair in
                let (term, variable) = pair
                if let reason = unusable[j] {
                    return Term(
                        term: term.name, coef: nil, hr: nil, se: nil, hr_lower: nil, hr_upper: nil, p: nil, reason: reason, variable: variable)
                }
                return Term(
                    term: term.name, coef: term.coefficient, hr: term.hazardRatio, se: term.standardError, hr_lower: term.hazardRatioLower,
                    hr_upper: term.hazardRatioUpper, p: term.p, reason: nil, variable: variable)
            }
            for j in unusable.keys.sorted() { notEstimable("The hazard ratio of \(design.names[j])", unusable[j] ?? "") }

            let coefficients = design.names.count
            if Double(fit.events) < 10 * Double(coefficients) {
                warnings.append(
                    MethodWarning(
                        .fewEventsPerVariable,
                        "\(modelName.prefix(1).uppercased() + modelName.dropFirst()) has \(fit.events) events for \(coefficients) coefficients (fewer than 10 per coefficient): its estimates may be unstable",
                        details: [("events", .number(Double(fit.events))), ("coefficients", .number(Double(coefficients)))]))
            }
            let termVariables = variables.filter { !design.columns(of: $0).isEmpty }
            if parameters.phTest { phTest(&model, fit: fit, design: design, termVariables: termVariables, unusable: !unusable.isEmpty) }
            if parameters.factorTest != .none {
                for v in termVariables where (declaredLevels[v] ?? 0) > 2 {
                    model.factor_tests.append(factorTest(v, fit: fit, design: design, unusable: unusable))
                }
            }
            return model
        }

        mutating func phTest(_ model: inout Model, fit: CoxModel, design: CoxDesign, termVariables: [String], unusable: Bool) {
            if unusable {
                model.ph_test_reason = "the model has coefficients that are not estimable"
                notEstimable("The proportional-hazards test", "the model has coefficients that are not estimable")
                return
            }
            do {
                let test = try CoxProportionalHazardsTest(fit, groups: termVariables.map { design.columns(of: $0) })
                let rows = zip(termVariables, test.terms).map { PHRow(term: $0, chisq: $1.chisq, df: $1.df, p: $1.p) }
                model.ph_test = PHTest(
                    transform: "km", terms: rows, global: PHGlobal(chisq: test.global.chisq, df: test.global.df, p: test.global.p))
                let alpha = Format.short(parameters.phAlpha)
                for row in rows where row.p < parameters.phAlpha {
                    warnings.append(
                        MethodWarning(
                            .phViolated,
                            "Proportional hazards doubtful for \(label(row.term)) in the \(kind.rawValue) model (cox.zph \(CoxPlugin.pPhrase(row.p)), below \(alpha))",
                            details: [("term", .string(row.term)), ("p", .number(row.p))]))
                }
                if test.global.p < parameters.phAlpha && rows.count > 1 {
                    warnings.append(
                        MethodWarning(
                            .phViolated,
                            "Proportional hazards doubtful for \(modelName) as a whole (global cox.zph \(CoxPlugin.pPhrase(test.global.p)), below \(alpha))",
                            details: [("term", .string("GLOBAL")), ("p", .number(test.global.p))]))
                }
            } catch let error as StatisticsError {
                model.ph_test_reason = error.message
                notEstimable("The proportional-hazards test", error.message)
            } catch {
                model.ph_test_reason = "\(error)"
                notEstimable("The proportional-hazards test", "\(error)")
            }
        }

        mutating func factorTest(_ v: String, fit: CoxModel, design: CoxDesign, unusable: [Int: String]) -> FactorTest {
            let columns = design.columns(of: v)
            let method = parameters.factorTest
            var test = FactorTest(variable: v, method: method.rawValue, chisq: nil, df: columns.count, p: nil, reason: nil)
            do {
                let result: CoxFactorTest
                switch method {
                case .lr:
                    guard fit.converged else { throw StatisticsError(.invalidValue, "the model did not converge") }
                    let reduced = design.removing(v)
                    let reducedLoglik =
                        reduced.columns.isEmpty
                        ? fit.nullLogLikelihood
                        : try CoxModel(data, design: reduced, strata: strata, ties: parameters.ties, confidenceLevel: parameters.confLevel)
                            .logLikelihood
                    result = try CoxFactorTest.likelihoodRatio(full: fit, reducedLogLikelihood: reducedLoglik, df: columns.count)
                case .wald, .none:
                    if let j = columns.first(where: { unusable[$0] != nil }) {
                        throw StatisticsError(.invalidValue, "the coefficient of \(design.names[j]) is not estimable")
                    }
                    result = try CoxFactorTest.wald(fit, coefficients: columns)
                }
                test.chisq = result.chisq
                test.df = result.df
                test.p = result.p
            } catch {
                let reason = (error as? StatisticsError)?.message ?? "\(error)"
                test.reason = reason
                notEstimable("The \(method == .lr ? "likelihood-ratio" : "Wald") test of \(label(v))", reason)
            }
            return test
        }

        /// Dummy columns (0/1) of a level whose patients, among the model's complete cases, have
        /// no event (its coefficient is −∞), and every dummy of a factor whose reference level has
        /// no event (they are +∞), with the reason.
        static func columnsWithoutEvents(_ design: CoxDesign, data: SurvivalData, strata: [Int32]?) -> [Int: String] {
            let dummies = design.names.indices.filter { design.names[$0] != design.variables[$0] }
            guard !dummies.isEmpty else { return [:] }
            var factors: [String] = []
            for j in dummies where !factors.contains(design.variables[j]) { factors.append(design.variables[j]) }
            let members = factors.map { v in dummies.filter { design.variables[$0] == v } }
            var events = [Int](repeating: 0, count: design.names.count)
            var referenceEvents = [Int](repeating: 0, count: factors.count)
            for i in 0..<data.count where data.event[i] {
                if let strata, strata[i] < 0 { continue }
                guard design.columns.allSatisfy({ !$0[i].isNaN }) else { continue }
                for (f, columns) in members.enumerated() {
                    var inReference = true
                    for j in columns where design.columns[j][i] == 1 {
                        events[j] += 1
                        inReference = false
                    }
                    if inReference { referenceEvents[f] += 1 }
                }
            }
            var reasons: [Int: String] = [:]
            for j in dummies where events[j] == 0 { reasons[j] = "no events among the patients of this level" }
            for (f, columns) in members.enumerated() where referenceEvents[f] == 0 {
                for j in columns { reasons[j] = "no events among the patients of the reference level" }
            }
            return reasons
        }

    }
}

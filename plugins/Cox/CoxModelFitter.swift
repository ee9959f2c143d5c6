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

        mutating func fit(input: AnalysisInput, rows: RowSelection) throws -> Model {
            // Each variable's values on the analysis rows (NaN / −1 = missing), then the model's
            // complete cases: levels and references are chosen among those (R builds the model
            // frame after na.omit), not among the rows where one variable is present.
            enum Values {
                case numeric([Double])
                case categorical([Int32], levels: [String], boolean: Bool)
            }
            var values: [Values] = []
            var complete = [Bool](repeating: true, count: rows.count)
            if let strata { for k in complete.indices where strata[k] < 0 { complete[k] = false } }
            for v in variables {
                let column = try input.column(v)
                switch column.data {
                case .boolean(let flags):
                    let codes = rows.gather(flags).map { $0 < 0 ? Int32(-1) : Int32($0) }
                    for k in codes.indices where codes[k] < 0 { complete[k] = false }
                    // Reference "no": the term is variable=yes.
                    values.append(.categorical(codes, levels: ["no", "yes"], boolean: true))
                case .category(let all, let levels):
                    let codes = all.codes(at: rows)
                    for k in codes.indices where codes[k] < 0 || Int(codes[k]) >= levels.count { complete[k] = false }
                    values.append(.categorical(codes, levels: levels, boolean: false))
                default:
                    guard let numbers = column.numbers else { throw AnalysisError(.typeMismatch, "'\(v)' cannot be a covariate") }
                    let x = rows.gather(numbers)
                    for k in x.indices where x[k].isNaN { complete[k] = false }
                    values.append(.numeric(x))
                }
            }
            var design = CoxDesign()
            var references: [String: String] = [:]
            var declaredLevels: [String: Int] = [:]
            /// Levels present on some rows but on none of the complete cases (coxph: NA).
            var absentLevels: [String: [String]] = [:]
            for (v, value) in zip(variables, values) {
                switch value {
                case .numeric(let x):
                    design.addNumeric(v, x)
                case .categorical(let codes, let levels, let boolean):
                    var present = [Bool](repeating: false, count: levels.count)
                    var presentComplete = present
                    for k in codes.indices where codes[k] >= 0 && Int(codes[k]) < levels.count {
                        present[Int(codes[k])] = true
                        if complete[k] { presentComplete[Int(codes[k])] = true }
                    }
                    // Codes of the complete cases only: the reference is the first declared level
                    // that occurs among them (R's factor(levels = declared); "no" for a boolean).
                    design.addCategorical(v, codes: codes.indices.map { complete[$0] ? codes[$0] : -1 }, levels: levels)
                    let reference = levels.indices.first { presentComplete[$0] }
                    references[v] = boolean ? "no" : reference.map { levels[$0] }
                    declaredLevels[v] = levels.count
                    absentLevels[v] = levels.indices.filter { present[$0] && !presentComplete[$0] }.map { levels[$0] }
                }
            }
            var model = Model(
                kind: kind, variables: variables, n: nil, events: nil, terms: [], loglik: nil, lr_test: nil, concordance: nil,
                converged: nil, loglik_reason: nil, lr_test_reason: nil, concordance_reason: nil, strata: parameters.strata, ph_test: nil,
                ph_test_reason: parameters.phTest ? nil : "not requested (ph_test: false)", factor_tests: [], warnings: [], error: nil,
                reason: nil, references: references)
            let fit: CoxModel
            let termVariables = variables.filter { !design.columns(of: $0).isEmpty }
            do {
                // The PH test is computed with the fit, alongside the concordance (two cores):
                // when asked for, and as the default check unless checks are off.
                fit = try CoxModel(
                    data, design: design, strata: strata, ties: parameters.ties, confidenceLevel: parameters.confLevel,
                    proportionalHazards: parameters.computesPHTest ? termVariables.map { design.columns(of: $0) } : nil)
            } catch let error as StatisticsError {
                // A landmark past every time leaves no patient: say so rather than blame the covariates.
                let message = data.count == 0 && parameters.landmark != nil ? Landmark.noPatientsReason : error.message
                model.error = message
                model.reason = message
                if parameters.phTest { model.ph_test_reason = "the model could not be fitted" }
                notEstimable(nil, message)
                return model
            }
            model.n = fit.count
            model.events = fit.events
            model.converged = fit.converged
            model.warnings = fit.warnings
            // Figures that can come out non-finite (a fit that did not converge) or undefined are
            // null with a reason, never a silent null.
            if fit.nullLogLikelihood.isFinite && fit.logLikelihood.isFinite {
                model.loglik = [fit.nullLogLikelihood, fit.logLikelihood]
            } else {
                model.loglik_reason = "the log partial likelihood is not finite (the fit did not converge)"
                notEstimable("The log-likelihood", "the log partial likelihood is not finite")
            }
            if fit.likelihoodRatioChiSquare.isFinite && fit.likelihoodRatioP.isFinite {
                model.lr_test = LRTest(chisq: fit.likelihoodRatioChiSquare, df: fit.likelihoodRatioDegreesOfFreedom, p: fit.likelihoodRatioP)
            } else {
                model.lr_test_reason = "the likelihood-ratio statistic is not finite (the fit did not converge)"
                notEstimable("The likelihood-ratio test", "its statistic is not finite")
            }
            if let c = fit.concordance, c.isFinite {
                model.concordance = c
            } else {
                model.concordance_reason = "no comparable pairs (no event precedes another subject's follow-up time)"
                notEstimable("The concordance", "there are no comparable pairs of patients")
            }

            // Terms that are not estimable: every one when the fit did not converge; else a level
            // without events, or a coefficient coxph.fit flags as possibly infinite.
            let noEvents = Self.columnsWithoutEvents(design, data: data, complete: complete)
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
            for (j, term) in fit.terms.enumerated() where unusable[j] == nil {
                let figures = [term.coefficient, term.hazardRatio, term.standardError, term.hazardRatioLower, term.hazardRatioUpper, term.p]
                if !figures.allSatisfy(\.isFinite) {
                    unusable[j] = "the hazard ratio or its confidence interval is too large to represent (exp(coef) overflows)"
                }
            }
            var terms: [Term] = []
            for (j, pair) in zip(fit.terms, design.variables).enumerated() {
                let (term, variable) = pair
                if let reason = unusable[j] {
                    terms.append(
                        Term(
                            term: term.name, coef: nil, hr: nil, se: nil, hr_lower: nil, hr_upper: nil, p: nil, reason: reason, variable: variable))
                } else {
                    terms.append(
                        Term(
                            term: term.name, coef: term.coefficient, hr: term.hazardRatio, se: term.standardError,
                            hr_lower: term.hazardRatioLower, hr_upper: term.hazardRatioUpper, p: term.p, reason: nil, variable: variable))
                }
                // After a factor's last column: its levels without complete cases (coxph: NA).
                let last = j + 1 == design.variables.count || design.variables[j + 1] != variable
                if last, let absent = absentLevels[variable] {
                    for level in absent {
                        terms.append(
                            Term(
                                term: "\(variable)=\(level)", coef: nil, hr: nil, se: nil, hr_lower: nil, hr_upper: nil, p: nil,
                                reason: Self.absentLevelReason, variable: variable))
                    }
                }
            }
            // A factor left with one level on the complete cases has no column: its absent levels still get a row.
            for v in variables where design.columns(of: v).isEmpty {
                for level in absentLevels[v] ?? [] {
                    terms.append(
                        Term(
                            term: "\(v)=\(level)", coef: nil, hr: nil, se: nil, hr_lower: nil, hr_upper: nil, p: nil,
                            reason: Self.absentLevelReason, variable: v))
                }
            }
            model.terms = terms
            for j in unusable.keys.sorted() { notEstimable("The hazard ratio of \(design.names[j])", unusable[j] ?? "") }
            for v in variables { for level in absentLevels[v] ?? [] { notEstimable("The hazard ratio of \(v)=\(level)", Self.absentLevelReason) } }

            let coefficients = design.names.count
            if Double(fit.events) < 10 * Double(coefficients) {
                warnings.append(
                    MethodWarning(
                        .fewEventsPerVariable,
                        "\(modelName.prefix(1).uppercased() + modelName.dropFirst()) has \(fit.events) events for \(coefficients) coefficients (fewer than 10 per coefficient): its estimates may be unstable",
                        details: [("events", .number(Double(fit.events))), ("coefficients", .number(Double(coefficients)))]))
            }
            if parameters.phTest {
                phTest(&model, fit: fit, termVariables: termVariables, unusable: !unusable.isEmpty)
            } else if parameters.checks && unusable.isEmpty {
                defaultPHCheck(fit: fit, termVariables: termVariables)
            }
            if parameters.factorTest != .none {
                for v in termVariables where (declaredLevels[v] ?? 0) > 2 {
                    model.factor_tests.append(factorTest(v, fit: fit, design: design, unusable: unusable))
                }
            }
            return model
        }

        /// Why a level's term is null: it occurs only on rows the model leaves out.
        static let absentLevelReason = "no patient of this level has every variable of the model (none among the complete cases)"

        mutating func phTest(_ model: inout Model, fit: CoxModel, termVariables: [String], unusable: Bool) {
            if unusable {
                model.ph_test_reason = "the model has coefficients that are not estimable"
                notEstimable("The proportional-hazards test", "the model has coefficients that are not estimable")
                return
            }
            do {
                guard let result = fit.proportionalHazardsTest else {
                    throw StatisticsError(.invalidParameter, "the proportional-hazards test was not computed with the fit")
                }
                let test = try result.get()
                let rows = zip(termVariables, test.terms).map { PHRow(term: $0, chisq: $1.chisq, df: $1.df, p: $1.p) }
                model.ph_test = PHTest(
                    transform: "km", terms: rows, global: PHGlobal(chisq: test.global.chisq, df: test.global.df, p: test.global.p))
                phViolations(rows, global: model.ph_test?.global)
            } catch let error as StatisticsError {
                model.ph_test_reason = error.message
                notEstimable("The proportional-hazards test", error.message)
            } catch {
                model.ph_test_reason = "\(error)"
                notEstimable("The proportional-hazards test", "\(error)")
            }
        }

        /// The PH check every model gets without `ph_test: true` (`analyses-v2.md`, "Common:
        /// warnings"): the same `cox.zph` test, whose table stays out of the result and the
        /// report; only a violation shows, as `ph_violated`. A test that cannot be computed says
        /// nothing here (it was not asked for; a model with unusable coefficients is not tested).
        mutating func defaultPHCheck(fit: CoxModel, termVariables: [String]) {
            guard case .success(let test)? = fit.proportionalHazardsTest else { return }
            let rows = zip(termVariables, test.terms).map { PHRow(term: $0, chisq: $1.chisq, df: $1.df, p: $1.p) }
            phViolations(rows, global: PHGlobal(chisq: test.global.chisq, df: test.global.df, p: test.global.p))
        }

        /// One `ph_violated` warning per term with p < `ph_alpha`, and one for the global test of a
        /// model with several terms; each points at the analyses that do not assume proportional
        /// hazards (a restricted mean, or a landmark analysis).
        mutating func phViolations(_ rows: [PHRow], global: PHGlobal?) {
            let alpha = Format.short(parameters.phAlpha)
            let remedy =
                "its hazard ratio averages an effect that changes over time; consider the restricted mean survival time (plugin: rmst) "
                + "or a landmark analysis (landmark:) instead."
            for row in rows where row.p.isFinite && row.p < parameters.phAlpha {
                warnings.append(
                    MethodWarning(
                        .phViolated,
                        "Hazards are not proportional for \(label(row.term)) in \(modelName) (cox.zph \(CoxPlugin.pPhrase(row.p)), below \(alpha)): \(remedy)",
                        details: [("term", .string(row.term)), ("p", .number(row.p))]))
            }
            if let global, global.p.isFinite, global.p < parameters.phAlpha, rows.count > 1 {
                warnings.append(
                    MethodWarning(
                        .phViolated,
                        "Hazards are not proportional in \(modelName) as a whole (global cox.zph \(CoxPlugin.pPhrase(global.p)), below \(alpha)): \(remedy)",
                        details: [("term", .string("GLOBAL")), ("p", .number(global.p))]))
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
        static func columnsWithoutEvents(_ design: CoxDesign, data: SurvivalData, complete: [Bool]) -> [Int: String] {
            let dummies = design.names.indices.filter { design.names[$0] != design.variables[$0] }
            guard !dummies.isEmpty else { return [:] }
            var factors: [String] = []
            for j in dummies where !factors.contains(design.variables[j]) { factors.append(design.variables[j]) }
            var events = [Int](repeating: 0, count: design.names.count)
            var referenceEvents = [Int](repeating: 0, count: factors.count)
            // Column by column over the complete cases with an event: one flag per row (a complete
            // case with an event), counted without branches or per-row array checks.
            let count = min(data.count, complete.count)
            var counted = [UInt8](repeating: 0, count: count)
            complete.withUnsafeBufferPointer { complete in
                data.event.withUnsafeBufferPointer { event in
                    for i in 0..<count { counted[i] = (complete[i] ? 1 : 0) & (event[i] ? 1 : 0) }
                }
            }
            for (f, v) in factors.enumerated() {
                var inReference = [UInt8](repeating: 1, count: count)
                for j in dummies where design.variables[j] == v {
                    var levelEvents = 0
                    design.columns[j].withUnsafeBufferPointer { column in
                        inReference.withUnsafeMutableBufferPointer { reference in
                            counted.withUnsafeBufferPointer { counted in
                                for i in 0..<min(count, column.count) {
                                    let level: UInt8 = column[i] == 1 ? 1 : 0
                                    reference[i] &= ~level
                                    levelEvents &+= Int(level & counted[i])
                                }
                            }
                        }
                    }
                    events[j] = levelEvents
                }
                var inReferenceEvents = 0
                inReference.withUnsafeBufferPointer { reference in
                    counted.withUnsafeBufferPointer { counted in
                        for i in 0..<count { inReferenceEvents &+= Int(reference[i] & counted[i]) }
                    }
                }
                referenceEvents[f] = inReferenceEvents
            }
            let members = factors.map { v in dummies.filter { design.variables[$0] == v } }
            var reasons: [Int: String] = [:]
            for j in dummies where events[j] == 0 { reasons[j] = "no events among the patients of this level" }
            for (f, columns) in members.enumerated() where referenceEvents[f] == 0 {
                for j in columns { reasons[j] = "no events among the patients of the reference level" }
            }
            return reasons
        }

    }
}

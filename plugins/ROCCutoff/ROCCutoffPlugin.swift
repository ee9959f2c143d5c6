import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: roc_cutoff` — ROC curves of continuous predictors for an event within a horizon,
/// with AUC (DeLong CI) and the best cut-off (Youden or closest to top-left) as pROC finds it.
/// Its cut-offs can split variables in a later `logrank` analysis (`cutoff: {from: <id>}`).
///
/// `compare: [[a, b], …]` (`analyses-v2.md`) compares two predictors' AUCs by the paired DeLong
/// test on the patients with both present (pROC `roc.test(ra, rb, method = "delong", paired = TRUE)`).
public enum ROCCutoffPlugin: PartitionedAnalysisPlugin {
    public static let name = "roc_cutoff"

    public enum Key: String, ParameterKey {
        case outcome, predictors, method, direction, conf_level, title, compare
    }

    /// The keys of `outcome:`.
    public enum OutcomeKey: String, ParameterKey {
        case event_within
    }

    public enum DirectionSetting: String, Sendable, CaseIterable {
        case auto
        case higher = "higher_is_positive"
        case lower = "lower_is_positive"

        /// How ``ROCCurve`` chooses the direction for this setting.
        var choice: ROCCurve.DirectionChoice {
            switch self {
            case .auto: return .auto
            case .higher: return .fixed(.higherIsPositive)
            case .lower: return .fixed(.lowerIsPositive)
            }
        }
    }

    public struct Parameters: Sendable {
        public var horizon: Double
        public var predictors: [String]
        public var method: ROCCurve.CutoffMethod
        public var direction: DirectionSetting
        public var confLevel: Double
        public var title: String?
        public var labels: [String: String]
        public var unit: String
        /// The pairs of predictors whose AUCs are compared, in the order given.
        public var comparisons: [ComparedPair] = []
    }

    /// Two predictors of `predictors` to compare.
    public struct ComparedPair: Sendable, Hashable {
        public var a: String
        public var b: String
    }

    public struct OutcomeDefinition: Encodable, Sendable {
        public var event_within: Double
    }

    public struct Interval: Encodable, Sendable {
        public var lower: Double
        public var upper: Double
        public var method: String
    }

    public struct Best: Encodable, Sendable {
        public var threshold: Double
        public var value: Double?
        public var rule: String?
        public var sensitivity: Double
        public var specificity: Double
        public var youden: Double
    }

    public struct Predictor: Encodable, Sendable {
        public var variable: String
        public var n_positive: Int
        public var n_negative: Int
        public var excluded: Int
        public var direction: String?
        public var auc: Double?
        public var auc_ci: Interval?
        public var best: [Best]
        public var error: String?
        /// Why the AUC is null (the text of `error`).
        public var reason: String? = nil
        /// The curve for the figure, thinned (none without an AUC; not part of results.json).
        var curve: [ROCPlot.Curve] = []

        enum CodingKeys: String, CodingKey {
            case variable, n_positive, n_negative, excluded, direction, auc, auc_ci, best, error, reason
        }
    }

    /// The confidence interval of a difference of AUCs (pROC's `conf.int` of `roc.test`).
    public struct DifferenceInterval: Encodable, Sendable {
        public var lower: Double
        public var upper: Double
    }

    /// One paired DeLong comparison: `difference` = `auc_a` − `auc_b`, `z` and `ci` with it.
    public struct Comparison: Encodable, Sendable {
        public var a: String
        public var b: String
        public var auc_a: Double?
        public var auc_b: Double?
        public var difference: Double?
        public var z: Double?
        public var p: Double?
        public var ci: DifferenceInterval?
        /// `delong_paired`.
        public var method: String
        /// Patients with both predictors present, by outcome class.
        public var n_positive: Int
        public var n_negative: Int
        /// pROC's directions of the two curves on these patients ("<" or ">" as `higher_is_positive`…).
        public var direction_a: String?
        public var direction_b: String?
        /// Why the comparison is null, `nil` when it was computed.
        public var reason: String?
    }

    public struct Output: Encodable, Sendable, CutoffProviding, WarningReporting {
        public var outcome: OutcomeDefinition
        public var method: String
        public var predictors: [Predictor]
        public var comparisons: [Comparison] = []
        /// Patients with a follow-up time censored at or before the horizon (left out of every curve).
        public var excluded_censored: Int = 0
        /// Patients with survival data.
        public var n_subjects: Int = 0
        public var warnings: [MethodWarning] = []

        init(
            outcome: OutcomeDefinition, method: String, predictors: [Predictor], comparisons: [Comparison],
            excludedCensored: Int, subjects: Int, labels: [String: String], unit: String
        ) {
            self.outcome = outcome
            self.method = method
            self.predictors = predictors
            self.comparisons = comparisons
            self.excluded_censored = excludedCensored
            self.n_subjects = subjects
            self.warnings = ROCCutoffPlugin.checks(self, labels: labels, unit: unit)
        }

        public func cutoff(for variable: String) -> Double? {
            predictors.first { $0.variable == variable }?.best.first?.threshold
        }
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let horizon = try m.required(.outcome).mapping(OutcomeKey.self).required(.event_within).number()
        let predictors = try context.variables(m.required(.predictors), kinds: [.number, .integer])
        let level = try m.confidenceLevel(.conf_level)
        var parameters = Parameters(
            horizon: horizon, predictors: predictors,
            method: try m.choice(.method, ROCCurve.CutoffMethod.self) ?? .youden,
            direction: try m.choice(.direction, DirectionSetting.self) ?? .auto,
            confLevel: level, title: try m.string(.title), labels: context.labels, unit: survival.unit)
        if let compare = m[.compare] {
            for item in try compare.items() {
                let names = try item.items()
                guard names.count == 2 else {
                    throw item.error(.invalidValue, "a comparison is a pair of predictors, [a, b]; this has \(names.count)")
                }
                let pair = try names.map { node in
                    let name = try node.string()
                    guard predictors.contains(name) else {
                        throw node.error(
                            .invalidValue, "'\(name)' is not among the predictors (\(predictors.joined(separator: ", "))); add it there to compare it"
                        )
                    }
                    return name
                }
                if pair[0] == pair[1] { throw names[1].error(.invalidValue, "'\(pair[1])' is compared with itself") }
                let compared = ComparedPair(a: pair[0], b: pair[1])
                if parameters.comparisons.contains(where: { Set([$0.a, $0.b]) == Set(pair) }) {
                    throw item.error(.invalidValue, "the pair \(pair[0]), \(pair[1]) is compared twice")
                }
                parameters.comparisons.append(compared)
            }
        }
        return parameters
    }

    /// One part per predictor, then one per comparison.
    public static func parts(of p: Parameters) -> [Parameters] {
        var parts = p.predictors.map { predictor in
            var part = p
            part.predictors = [predictor]
            part.comparisons = []
            return part
        }
        for pair in p.comparisons {
            var part = p
            part.predictors = []
            part.comparisons = [pair]
            parts.append(part)
        }
        return parts
    }

    public static func merge(_ outputs: [Output], parameters p: Parameters) -> Output {
        Output(
            outcome: OutcomeDefinition(event_within: p.horizon), method: p.method.rawValue, predictors: outputs.flatMap(\.predictors),
            comparisons: outputs.flatMap(\.comparisons), excludedCensored: outputs.first?.excluded_censored ?? 0,
            subjects: outputs.first?.n_subjects ?? 0, labels: p.labels, unit: p.unit)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _) = try input.survival()
        // Outcome class per subject, once for all predictors: 1 = event by the horizon (case),
        // 0 = followed beyond it (control), -1 = censored at or before it (excluded).
        let outcomes = Self.outcomeClasses(time: data.time, event: data.event, horizon: p.horizon)
        let predictors = try p.predictors.map { try predictor($0, p, input: input, rows: rows, outcomes: outcomes) }
        let comparisons = try p.comparisons.map { try comparison($0, p, input: input, rows: rows, outcomeClass: outcomes.classes) }
        return Output(
            outcome: OutcomeDefinition(event_within: p.horizon), method: p.method.rawValue, predictors: predictors,
            comparisons: comparisons, excludedCensored: outcomes.classes.count - outcomes.cases - outcomes.controls,
            subjects: outcomes.classes.count, labels: p.labels, unit: p.unit)
    }

    /// Each subject's outcome class, and how many are cases and controls.
    struct OutcomeClasses {
        /// 1 = event by the horizon (case), 0 = followed beyond it (control), −1 = censored at or
        /// before it (excluded).
        var classes: [Int8]
        var cases: Int
        var controls: Int
    }

    /// Each subject's class, counted as it is set: one pass over the buffers, without branches
    /// (a million subjects in about 5 ms, against 15 ms with a branch per subject and the counts
    /// taken in passes of their own, measured).
    static func outcomeClasses(time: [Double], event: [Bool], horizon: Double) -> OutcomeClasses {
        let n = min(time.count, event.count)
        var cases = 0
        var controls = 0
        let classes = [Int8](unsafeUninitializedCapacity: n) { out, count in
            time.withUnsafeBufferPointer { t in
                event.withUnsafeBufferPointer { e in
                    for i in 0..<n {
                        let beyond: Int8 = t[i] > horizon ? 1 : 0
                        let within: Int8 = t[i] <= horizon ? 1 : 0
                        let caseByHorizon: Int8 = (e[i] ? 1 : 0) & within
                        // beyond → 0; case → 1; otherwise (a NaN time too) → −1.
                        out[i] = caseByHorizon &* 2 &+ beyond &- 1
                        cases &+= Int(caseByHorizon)
                        controls &+= Int(beyond)
                    }
                }
            }
            count = n
        }
        return OutcomeClasses(classes: classes, cases: cases, controls: controls)
    }

    /// One predictor's ROC curve, AUC with CI and best cut-offs.
    static func predictor(_ name: String, _ p: Parameters, input: AnalysisInput, rows: RowSelection, outcomes: OutcomeClasses) throws
        -> Predictor
    {
        guard let values = try input.column(name).numbers else {
            throw AnalysisError(.typeMismatch, "'\(name)' is not numeric")
        }
        // Predictor missing: left out first, counted nowhere. Cases and controls go straight into
        // the curve's sample (no per-subject arrays of values and outcomes).
        var sample = ROCCurve.Sample(reservingCases: outcomes.cases, controls: outcomes.controls)
        var excluded = 0
        values.withUnsafeBufferPointer { v in
            outcomes.classes.withUnsafeBufferPointer { c in
                for k in 0..<min(rows.count, c.count) {
                    let value = v[rows[k]]
                    if value.isNaN { continue }
                    switch c[k] {
                    case 1: sample.append(value, isCase: true)
                    case 0: sample.append(value, isCase: false)
                    default: excluded += 1
                    }
                }
            }
        }
        let positives = sample.cases
        let negatives = sample.controls
        do {
            let choice = p.direction.choice
            let curve = try ROCCurve(sample, direction: choice)
            let ci = try curve.aucConfidenceInterval(level: p.confLevel)
            let best = curve.best(p.method)
            var predictor = Predictor(
                variable: name, n_positive: curve.positives, n_negative: curve.negatives, excluded: excluded,
                direction: curve.direction.rawValue, auc: curve.auc,
                auc_ci: ci.map { Interval(lower: $0.lower, upper: $0.upper, method: "delong") },
                best: best.map { b in
                    Best(
                        threshold: b.threshold, value: b.value,
                        rule: b.value.map { (b.positiveAtOrAbove ? ">= " : "<= ") + Format.short($0, significant: 4) },
                        sensitivity: b.sensitivity, specificity: b.specificity, youden: b.youden)
                },
                error: nil)
            predictor.curve = [
                ROCPlot.Curve(
                    label: p.labels[name] ?? name, auc: curve.auc,
                    points: ROCPlot.points(sensitivities: curve.sensitivities, specificities: curve.specificities),
                    cutoffs: zip(best, predictor.best).map { b, shown in
                        (
                            1 - b.specificity, b.sensitivity,
                            (shown.rule ?? Format.short(b.threshold)).replacing(">= ", with: "≥ ").replacing("<= ", with: "≤ ")
                        )
                    })
            ]
            return predictor
        } catch let error as StatisticsError {
            return Predictor(
                variable: name, n_positive: positives, n_negative: negatives,
                excluded: excluded, direction: nil, auc: nil, auc_ci: nil, best: [], error: error.message, reason: error.message)
        }
    }

    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        var rows: [[ReportCell]] = []
        for pr in o.predictors {
            let label = p.labels[pr.variable] ?? pr.variable
            if let error = pr.error {
                rows.append([.text(label), .text("not estimable: \(error)"), .text(""), .text(""), .text(""), .text("")])
                continue
            }
            let auc =
                pr.auc.map { a in
                    Format.fixed(a, digits: 2)
                        + (pr.auc_ci.map { " (\(Format.fixed($0.lower, digits: 2))–\(Format.fixed($0.upper, digits: 2)))" } ?? "")
                } ?? "NA"
            let cut = pr.best.map { b in (b.rule ?? Format.short(b.threshold)).replacing(">= ", with: "≥ ").replacing("<= ", with: "≤ ") }
                .joined(separator: "; ")
            let se = pr.best.map { Format.fixed($0.sensitivity, digits: 3) }.joined(separator: "; ")
            let sp = pr.best.map { Format.fixed($0.specificity, digits: 3) }.joined(separator: "; ")
            rows.append([.text(label), .text(auc), .text(cut), .text(se), .text(sp), .text("\(pr.n_positive) / \(pr.n_negative)")])
        }
        let horizon = Format.short(o.outcome.event_within)
        return [
            .table(
                ReportTable(
                    name: "roc_cutoffs", title: p.title ?? "ROC analysis for death within \(horizon) \(p.unit)",
                    header: ["Variable", "AUC (95% CI)", "Cut-off", "Sensitivity", "Specificity", "Events / non-events"],
                    rows: rows,
                    note:
                        "Cases: event at or before \(horizon) \(p.unit); controls: followed beyond it; patients censored earlier are excluded. Cut-off by \(o.method == "youden" ? "Youden's index" : "closest to the top-left corner"); AUC CI by DeLong."
                ))
        ] + comparisonTable(o, p) + figure(o, p)
    }

    /// The ROC curves of every predictor in one figure, each cut-off marked.
    static func figure(_ o: Output, _ p: Parameters) -> [ReportBlock] {
        let curves = o.predictors.flatMap(\.curve)
        guard !curves.isEmpty else { return [] }
        let title = "ROC curves for death within \(Format.short(o.outcome.event_within)) \(p.unit)"
        return [.figure(ReportFigure(name: "roc", title: title, svg: ROCPlot(title: title, curves: curves).svg()))]
    }
}

import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: roc_cutoff` — ROC curves of continuous predictors for an event within a horizon,
/// with AUC (DeLong CI) and the best cut-off (Youden or closest to top-left) as pROC finds it.
/// Its cut-offs can split variables in a later `logrank` analysis (`cutoff: {from: <id>}`).
public enum ROCCutoffPlugin: PartitionedAnalysisPlugin {
    public static let name = "roc_cutoff"

    public enum Key: String, ParameterKey {
        case outcome, predictors, method, direction, conf_level, title
    }

    /// The keys of `outcome:`.
    public enum OutcomeKey: String, ParameterKey {
        case event_within
    }

    public enum DirectionSetting: String, Sendable, CaseIterable {
        case auto
        case higher = "higher_is_positive"
        case lower = "lower_is_positive"
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
    }

    public struct Output: Encodable, Sendable, CutoffProviding {
        public var outcome: OutcomeDefinition
        public var method: String
        public var predictors: [Predictor]

        public func cutoff(for variable: String) -> Double? {
            predictors.first { $0.variable == variable }?.best.first?.threshold
        }
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let horizon = try m.required(.outcome).mapping(OutcomeKey.self).required(.event_within).number()
        let predictors = try context.variables(m.required(.predictors), kinds: [.number, .integer])
        let level = try m.confidenceLevel(.conf_level)
        return Parameters(
            horizon: horizon, predictors: predictors,
            method: try m.choice(.method, ROCCurve.CutoffMethod.self) ?? .youden,
            direction: try m.choice(.direction, DirectionSetting.self) ?? .auto,
            confLevel: level, title: try m.string(.title), labels: context.labels, unit: survival.unit)
    }

    /// One part per predictor.
    public static func parts(of p: Parameters) -> [Parameters] {
        parts(of: p, splitting: \.predictors)
    }

    public static func merge(_ outputs: [Output], parameters p: Parameters) -> Output {
        Output(outcome: OutcomeDefinition(event_within: p.horizon), method: p.method.rawValue, predictors: outputs.flatMap(\.predictors))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _) = try input.survival()
        // Outcome class per subject, once for all predictors: 1 = event by the horizon (case),
        // 0 = followed beyond it (control), -1 = censored at or before it (excluded).
        let outcomeClass: [Int8] = zip(data.time, data.event).map { t, e in e && t <= p.horizon ? 1 : (t > p.horizon ? 0 : -1) }
        let predictors = try p.predictors.map { try predictor($0, p, input: input, rows: rows, outcomeClass: outcomeClass) }
        return Output(outcome: OutcomeDefinition(event_within: p.horizon), method: p.method.rawValue, predictors: predictors)
    }

    /// One predictor's ROC curve, AUC with CI and best cut-offs.
    static func predictor(_ name: String, _ p: Parameters, input: AnalysisInput, rows: [Int], outcomeClass: [Int8]) throws -> Predictor {
        guard let values = try input.column(name).numbers else {
            throw AnalysisError(.typeMismatch, "'\(name)' is not numeric")
        }
        // Predictor missing: left out first, counted nowhere.
        var x: [Double] = []
        var y: [Bool] = []
        x.reserveCapacity(rows.count)
        y.reserveCapacity(rows.count)
        var excluded = 0
        values.withUnsafeBufferPointer { v in
            rows.withUnsafeBufferPointer { r in
                outcomeClass.withUnsafeBufferPointer { c in
                    for k in 0..<r.count {
                        let value = v[r[k]]
                        if value.isNaN { continue }
                        switch c[k] {
                        case 1:
                            x.append(value)
                            y.append(true)
                        case 0:
                            x.append(value)
                            y.append(false)
                        default: excluded += 1
                        }
                    }
                }
            }
        }
        let positives = y.filter { $0 }.count
        do {
            let choice: ROCCurve.DirectionChoice
            switch p.direction {
            case .auto: choice = .auto
            case .higher: choice = .fixed(.higherIsPositive)
            case .lower: choice = .fixed(.lowerIsPositive)
            }
            let curve = try ROCCurve(predictor: x, outcome: y, direction: choice)
            let ci = try curve.aucConfidenceInterval(level: p.confLevel)
            return Predictor(
                variable: name, n_positive: curve.positives, n_negative: curve.negatives, excluded: excluded,
                direction: curve.direction.rawValue, auc: curve.auc,
                auc_ci: ci.map { Interval(lower: $0.lower, upper: $0.upper, method: "delong") },
                best: curve.best(p.method).map { b in
                    Best(
                        threshold: b.threshold, value: b.value,
                        rule: b.value.map { (b.positiveAtOrAbove ? ">= " : "<= ") + Format.short($0, significant: 4) },
                        sensitivity: b.sensitivity, specificity: b.specificity, youden: b.youden)
                },
                error: nil)
        } catch let error as StatisticsError {
            return Predictor(
                variable: name, n_positive: positives, n_negative: y.count - positives,
                excluded: excluded, direction: nil, auc: nil, auc_ci: nil, best: [], error: error.message)
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
        ]
    }
}

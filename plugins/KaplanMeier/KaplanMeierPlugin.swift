import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: kaplan_meier` — overall survival (or one curve per level of `by`): median with CI,
/// survival at chosen times with CI, the step table, follow-up, and the Kaplan–Meier figure.
public enum KaplanMeierPlugin: AnalysisPlugin {
    public static let name = "kaplan_meier"

    public enum Key: String, ParameterKey {
        case conf_type, conf_level, times, by, band, title, compare_at, landmark, figure
    }

    public struct Parameters: Sendable {
        public var confidence: SurvivalConfidence
        public var times: [Double]
        public var by: String?
        public var band: Bool
        public var title: String?
        public var unit: String
        public var byLabel: String?
        /// `compare_at`: times at which every pair of levels of `by` is compared.
        public var compareAt: [Double] = []
        /// `landmark`: only patients followed at this time, on the clock time − landmark.
        public var landmark: Double?
        /// `figure:` — how the figure is drawn (`nil`: `figure: false`, no figure).
        public var figure: SurvivalFigureOptions? = SurvivalFigureOptions()
    }

    public struct Quantile: Encodable, Sendable {
        public var estimate: Double?
        public var lower: Double?
        public var upper: Double?
    }

    public typealias AtTime = SurvivalAtTime

    public struct Row: Encodable, Sendable {
        public var time: Double
        public var n_risk: Int
        public var n_event: Int
        public var n_censor: Int
        public var survival: Double
        public var std_err: Double?
        public var lower: Double?
        public var upper: Double?
    }

    public struct Survivors: Encodable, Sendable {
        public var n: Int
        public var median: Double
        public var min: Double
        public var max: Double
    }

    public struct FollowUp: Encodable, Sendable {
        public var reverse_km_median: Double?
        public var survivors: Survivors?
    }

    public struct Stratum: Encodable, Sendable {
        public var label: String
        public var n: Int
        public var events: Int
        public var median: Quantile
        public var at_times: [AtTime]
        public var table: [Row]
        public var follow_up: FollowUp
    }

    public struct Output: Encodable, Sendable, WarningReporting {
        public var time_unit: String
        public var conf_type: String
        public var conf_level: Double
        public var by: String?
        public var n_used: Int
        public var excluded: Int
        public var strata: [Stratum]
        /// `compare_at` (version 2): survival differences between the levels of `by`; `nil` when not asked.
        public var differences: [Difference]?
        /// The landmark's counts (`nil` without one).
        public var landmark: Landmark?
        public var warnings: [MethodWarning] = []
        /// Kept for the figure; not part of results.json.
        var curves: [SurvivalPlot.Curve] = []
        /// The log-rank p between the levels of `by` printed on the figure (not part of results.json).
        var figureP: [Double] = []

        enum CodingKeys: String, CodingKey { case time_unit, conf_type, conf_level, by, n_used, excluded, strata, differences, landmark, warnings }
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let confidence = try m.survivalConfidence(type: .conf_type, level: .conf_level, profile: context.profile)
        let times = try m.numbers(.times) ?? []
        let by = try m[.by].map { try context.variable($0, kinds: [.category, .boolean]) }
        let compareAt = try m.numbers(.compare_at) ?? []
        if let value = m[.compare_at], by == nil {
            throw value.error(.invalidValue, "compare_at compares the levels of `by`: give `by` too")
        }
        return Parameters(
            confidence: confidence, times: times, by: by, band: try m.boolean(.band) ?? false,
            title: try m.string(.title), unit: survival.unit, byLabel: by.map { context.label($0) }, compareAt: compareAt,
            landmark: try m.landmark(.landmark), figure: try m.survivalFigure(.figure, absent: SurvivalFigureOptions()))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, excluded, landmark) = try input.survival(landmark: p.landmark)
        if landmark != nil && data.count == 0 { throw AnalysisError(.emptyInput, Landmark.noPatientsReason) }
        // Each group's curve and follow-up from its time counts: no copy of any group's subjects.
        var groups: [(label: String, km: KaplanMeier, followUp: CohortStatistics.FollowUp)] = []
        var allLevels: [String] = []
        if let by = p.by {
            let (codes, levels) = try input.groups(by, rows: rows)
            allLevels = levels
            let counts = data.timeCounts(by: try data.assign(codes, count: levels.count))
            for (k, level) in levels.enumerated() where !counts[k].isEmpty {
                groups.append((level, try KaplanMeier(counts[k], confidence: p.confidence), try CohortStatistics.FollowUp(counts[k])))
            }
        } else {
            groups.append(("all", try KaplanMeier(data.sorted(), confidence: p.confidence), try CohortStatistics.FollowUp(data)))
        }
        var output = Output(
            time_unit: p.unit, conf_type: p.confidence.type.rawValue, conf_level: p.confidence.level,
            by: p.by, n_used: data.count, excluded: excluded, strata: [], landmark: landmark)
        if let by = p.by, p.figure?.pValue == true, groups.count >= 2 {
            // The figure's p: survdiff over the levels with patients (as survminer's pval = TRUE).
            let (codes, _) = try input.groups(by, rows: rows)
            if let test = try? LogRankTest(data, group: codes, groupCount: allLevels.count) { output.figureP = [test.p] }
        }
        var estimates: [String: KaplanMeier] = [:]
        for group in groups {
            let km = group.km
            let median = km.median
            let followUp = group.followUp
            output.strata.append(
                Stratum(
                    label: group.label, n: km.count, events: km.events,
                    median: Quantile(estimate: median.estimate, lower: median.lower, upper: median.upper),
                    at_times: km.survival(at: p.times).map {
                        SurvivalAtTime($0)
                    },
                    table: km.rows.map {
                        Row(
                            time: $0.time, n_risk: $0.atRisk, n_event: $0.events, n_censor: $0.censored, survival: $0.survival,
                            std_err: $0.standardError, lower: $0.lower, upper: $0.upper)
                    },
                    follow_up: FollowUp(
                        reverse_km_median: followUp.reverseKaplanMeierMedian,
                        survivors: followUp.survivors.map {
                            Survivors(n: $0.count, median: $0.median, min: $0.minimum, max: $0.maximum)
                        })))
            output.curves.append(SurvivalPlot.Curve(label: Format.display(group.label), estimate: km))
            estimates[group.label] = km
            for t in p.times where t > km.lastTime { output.warnings.append(Self.pastFollowUp(group.label, t, unit: p.unit)) }
        }
        if !p.compareAt.isEmpty {
            let comparison = try Self.differences(at: p.compareAt, levels: allLevels, estimates: estimates, level: p.confidence.level)
            output.differences = comparison.differences
            for (label, t) in comparison.pastFollowUp where !p.times.contains(t) {
                output.warnings.append(Self.pastFollowUp(label, t, unit: p.unit))
            }
            for d in comparison.differences where d.difference != nil && d.p == nil {
                output.warnings.append(
                    MethodWarning(
                        .notEstimable, "The survival difference \(d.a) − \(d.b) at \(Format.short(d.time)) \(p.unit) has no p: \(d.reason ?? "")",
                        details: [("what", .string("difference \(d.a) − \(d.b) at \(Format.short(d.time))"))]))
            }
        }
        output.warnings += input.immortalTimeWarnings(for: p.by.map { [$0] } ?? [], rows: rows, landmark: p.landmark)
        if let warning = input.competingEventsWarning(analysis: "Kaplan–Meier analysis") { output.warnings.append(warning) }
        return output
    }

    static func pastFollowUp(_ group: String, _ time: Double, unit: String) -> MethodWarning {
        MethodWarning(
            .pastFollowUp, "\(Format.short(time)) \(unit) is past the last follow-up of \(Format.display(group)): no estimate there",
            details: [("group", .string(group)), ("time", .number(time))])
    }

    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        let level = Format.short(100 * o.conf_level)
        var header = ["Group", "n", "Events", "Median (\(level)% CI), \(o.time_unit)"]
        for t in p.times { header.append("\(Format.short(t))-\(o.time_unit) survival (\(level)% CI)") }
        var rows: [[ReportCell]] = []
        for s in o.strata {
            var row: [ReportCell] = [.text(Format.display(s.label)), .count(s.n, percent: nil), .count(s.events, percent: nil)]
            row.append(.text(Format.interval(s.median.estimate, lower: s.median.lower, upper: s.median.upper, digits: 1, percent: false)))
            for t in p.times {
                if let point = s.at_times.first(where: { $0.time == t }) {
                    row.append(.text(Format.interval(point.survival, lower: point.lower, upper: point.upper, digits: 1, percent: true)))
                } else {
                    row.append(.text("NA"))
                }
            }
            rows.append(row)
        }
        var notes: [String] = []
        for s in o.strata {
            if let f = s.follow_up.survivors {
                notes.append(
                    "\(s.label == "all" ? "" : s.label + ": ")median follow-up of survivors \(Format.fixed(f.median, digits: 0)) (\(Format.fixed(f.min, digits: 0))–\(Format.fixed(f.max, digits: 0))) \(o.time_unit)"
                )
            }
        }
        let title = p.title ?? (p.by.map { "Survival by \(p.byLabel ?? $0)" } ?? "Overall survival")
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    name: "survival_\(p.by ?? "overall")", title: title, header: header, rows: rows,
                    note: ([
                        "Kaplan–Meier estimates, \(o.conf_type) confidence intervals; \(o.n_used) patients with follow-up"
                            + (o.excluded > 0 ? ", \(o.excluded) without" : "")
                    ] + notes).joined(separator: "; ") + "." + (o.landmark.map { " " + $0.sentence(unit: o.time_unit) } ?? "")))
        ]
        if let options = p.figure {
            let figure = SurvivalPlot(
                title: title, timeUnit: o.time_unit, curves: o.curves, options: options.plotOptions(band: p.band, p: o.figureP.first))
            blocks.append(.figure(ReportFigure(name: "km_\(p.by ?? "overall")", title: title, svg: figure.svg())))
        }
        return blocks + differencesTable(o, p)
    }
}

import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: rmst` — the restricted mean survival time up to `tau` per level of `by` (or of all
/// patients), = survival's `print(survfit(...), rmean = tau)`; with exactly two levels the
/// difference (second − first) and ratio (second / first) as survRM2's `rmst2` computes them from
/// those values. The analysis to report when hazards are not proportional (`analyses-v2.md`, "rmst").
public enum RMSTPlugin: AnalysisPlugin {
    public static let name = "rmst"

    public enum Key: String, ParameterKey {
        case tau, by, conf_level, title, landmark
    }

    public struct Parameters: Sendable {
        public var tau: Double
        public var by: String?
        public var byLabel: String?
        public var confLevel: Double
        public var title: String?
        public var unit: String
        /// `landmark`: only patients followed at this time, on the clock time − landmark (tau too).
        public var landmark: Double?
    }

    /// One group's restricted mean; `nil` figures with a `reason` where tau is past its follow-up.
    public struct Group: Encodable, Sendable {
        public var level: String
        public var n: Int
        public var events: Int
        public var rmst: Double?
        public var se: Double?
        public var lower: Double?
        public var upper: Double?
        /// Restricted mean time lost: tau − rmst.
        public var rmtl: Double?
        public var reason: String?
    }

    /// Second level − first (survRM2 `rmst2`: arm 1 − arm 0).
    public struct Difference: Encodable, Sendable {
        public var estimate: Double
        public var se: Double
        public var lower: Double
        public var upper: Double
        public var p: Double
    }

    /// Second level / first, its CI and p on the log scale.
    public struct Ratio: Encodable, Sendable {
        public var estimate: Double
        public var lower: Double
        public var upper: Double
        public var p: Double
    }

    public struct Output: Encodable, Sendable, WarningReporting {
        public var tau: Double
        public var time_unit: String
        public var conf_level: Double
        public var by: String?
        public var n_used: Int
        public var excluded: Int
        public var groups: [Group]
        /// Only with exactly two levels of `by`; `nil` with `comparison_reason` when either is null.
        public var difference: Difference?
        public var ratio: Ratio?
        public var comparison_reason: String?
        public var landmark: Landmark?
        public var warnings: [MethodWarning]
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let tauValue = try m.required(.tau)
        let tau = try tauValue.number()
        guard tau.isFinite, tau > 0 else { throw tauValue.error(.invalidValue, "tau must be a positive number of \(survival.unit)") }
        let by = try m[.by].map { try context.variable($0, kinds: [.category, .boolean]) }
        return Parameters(
            tau: tau, by: by, byLabel: by.map { context.label($0) }, confLevel: try m.confidenceLevel(.conf_level),
            title: try m.string(.title), unit: survival.unit, landmark: try m.landmark(.landmark))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, excluded, landmark) = try input.survival(landmark: p.landmark)
        var labels = ["all"]
        var members: [[Int]] = [Array(0..<data.count)]
        var used = data.count
        if let by = p.by {
            // Every declared level, also one without patients (R's factor levels), in declared order.
            let (codes, levels) = try input.groups(by, rows: rows)
            labels = levels
            members = Array(repeating: [], count: levels.count)
            for (i, code) in codes.enumerated() where code >= 0 && Int(code) < levels.count { members[Int(code)].append(i) }
            used = members.reduce(0) { $0 + $1.count }
        }
        let z = try Normal.criticalValue(level: p.confLevel)
        var output = Output(
            tau: p.tau, time_unit: p.unit, conf_level: p.confLevel, by: p.by, n_used: used, excluded: excluded, groups: [],
            difference: nil, ratio: nil, comparison_reason: nil, landmark: landmark, warnings: [])
        for (label, subjects) in zip(labels, members) {
            var group = Group(
                level: label, n: subjects.count, events: subjects.reduce(0) { $0 + (data.event[$1] ? 1 : 0) }, rmst: nil, se: nil,
                lower: nil, upper: nil, rmtl: nil, reason: nil)
            if subjects.isEmpty {
                group.reason = landmark != nil && data.count == 0 ? Landmark.noPatientsReason : "no patients"
            } else {
                let subset = try SurvivalData(time: subjects.map { data.time[$0] }, event: subjects.map { data.event[$0] })
                let curve = try KaplanMeier(subset.sorted(), confidence: SurvivalConfidence(type: .log, level: p.confLevel))
                if p.tau > curve.lastTime {
                    // survRM2's rmst2 refuses a tau past a group's last time; survival would carry the curve flat.
                    group.reason = "tau \(Format.short(p.tau)) is past the last follow-up (\(Format.short(curve.lastTime)) \(p.unit))"
                    output.warnings.append(
                        MethodWarning(
                            .pastFollowUp,
                            "tau = \(Format.short(p.tau)) \(p.unit) is past the last follow-up of \(Format.display(label)): no restricted mean",
                            details: [("group", .string(label)), ("time", .number(p.tau))]))
                } else {
                    let mean = try RestrictedMean(curve, tau: p.tau)
                    group.rmst = mean.estimate
                    group.se = mean.standardError
                    group.lower = mean.estimate - z * mean.standardError
                    group.upper = mean.estimate + z * mean.standardError
                    group.rmtl = p.tau - mean.estimate
                }
            }
            output.groups.append(group)
        }
        if labels.count == 2 {
            let (first, second) = (output.groups[0], output.groups[1])
            if let r0 = first.rmst, let s0 = first.se, let r1 = second.rmst, let s1 = second.se {
                // survRM2 rmst2: arm 1 − arm 0, se² = v1 + v0; ratio on the log scale, se² = v1/r1² + v0/r0².
                let d = r1 - r0
                let se = (s1 * s1 + s0 * s0).squareRoot()
                if se > 0 {
                    output.difference = Difference(estimate: d, se: se, lower: d - z * se, upper: d + z * se, p: 2 * Normal.cdf(-abs(d) / se))
                }
                if r0 > 0, r1 > 0 {
                    let logRatio = Double.log(r1 / r0)
                    let sl = (s1 * s1 / (r1 * r1) + s0 * s0 / (r0 * r0)).squareRoot()
                    if sl > 0 {
                        output.ratio = Ratio(
                            estimate: r1 / r0, lower: Double.exp(logRatio - z * sl), upper: Double.exp(logRatio + z * sl),
                            p: 2 * Normal.cdf(-abs(logRatio) / sl))
                    }
                }
                if output.difference == nil || output.ratio == nil {
                    output.comparison_reason = "the restricted means have no variance, so no test"
                }
            } else {
                let missing = [first, second].filter { $0.rmst == nil }.map { Format.display($0.level) }
                output.comparison_reason = "no restricted mean for \(missing.joined(separator: " and "))"
            }
            if let reason = output.comparison_reason {
                output.warnings.append(
                    MethodWarning(
                        .notEstimable, "The RMST difference and ratio are not estimable: \(reason)",
                        details: [("what", .string("RMST difference and ratio"))]))
            }
        }
        output.warnings += input.immortalTimeWarnings(for: p.by.map { [$0] } ?? [], rows: rows, landmark: p.landmark)
        return output
    }

    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        let level = Format.short(100 * o.conf_level)
        let tau = "\(Format.short(o.tau)) \(o.time_unit)"
        var rows: [[ReportCell]] = o.groups.map { g in
            [
                .text(Format.display(g.level)), .count(g.n, percent: nil), .count(g.events, percent: nil),
                .text(g.rmst.map { Format.interval($0, lower: g.lower, upper: g.upper, digits: 1, percent: false) } ?? "NA"),
                .text(g.rmtl.map { Format.fixed($0, digits: 1) } ?? "NA"),
            ]
        }
        if let d = o.difference, o.groups.count == 2 {
            rows.append([
                .text("Difference (\(Format.display(o.groups[1].level)) − \(Format.display(o.groups[0].level)))"), .text(""), .text(""),
                .text(Format.interval(d.estimate, lower: d.lower, upper: d.upper, digits: 1, percent: false) + ", p " + Format.pValue(d.p)),
                .text(""),
            ])
        }
        if let r = o.ratio, o.groups.count == 2 {
            rows.append([
                .text("Ratio (\(Format.display(o.groups[1].level)) / \(Format.display(o.groups[0].level)))"), .text(""), .text(""),
                .text(Format.interval(r.estimate, lower: r.lower, upper: r.upper, digits: 2, percent: false) + ", p " + Format.pValue(r.p)),
                .text(""),
            ])
        }
        let title = p.title ?? "Restricted mean survival time up to \(tau)" + (p.byLabel.map { " by \($0)" } ?? "")
        return [
            .table(
                ReportTable(
                    name: "rmst_\(p.by ?? "overall")", title: title,
                    header: ["Group", "n", "Events", "RMST (\(level)% CI), \(o.time_unit)", "Time lost, \(o.time_unit)"], rows: rows,
                    note:
                        "Area under the Kaplan–Meier curve from 0 to \(tau) (survival's rmean), standard errors as survival computes them; difference and ratio as survRM2's rmst2."
                        + (o.landmark.map { " " + $0.sentence(unit: o.time_unit) } ?? "")))
        ]
    }
}

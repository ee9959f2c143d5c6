public import CohortReport
public import CohortStatistics

extension KaplanMeierPlugin {
    /// One `compare_at` entry: S_a(t) − S_b(t) for a pair of levels of `by` (`a` the earlier
    /// declared level), as survminer's milestone comparison computes it.
    public struct Difference: Encodable, Sendable, Hashable {
        public var time: Double
        public var a: String
        public var b: String
        /// S_a(t) − S_b(t) (`summary(survfit, times = t)`), `nil` past either group's last time.
        public var difference: Double?
        /// sqrt(se_a² + se_b²) from Greenwood's standard errors of S.
        public var se: Double?
        /// Normal confidence limits at the analysis's `conf_level`.
        public var lower: Double?
        public var upper: Double?
        /// 2Φ(−|D| / se).
        public var p: Double?
        /// Why a figure is `nil`.
        public var reason: String?
    }

    /// Every pair of `levels` (declared order: 1-2, 1-3, …, 2-3, …) at every time, from each
    /// level's estimate (a level without patients has none). A time after a group's last
    /// observation gives nulls, as `km_differences` of the references: `summary(fit, times, extend =
    /// FALSE)` lists nothing there. Returns the differences and the (group, time) pairs past follow-up.
    static func differences(
        at times: [Double], levels: [String], estimates: [String: KaplanMeier], level: Double
    ) throws -> (differences: [Difference], pastFollowUp: [(String, Double)]) {
        let z = try Normal.criticalValue(level: level)
        var out: [Difference] = []
        var past: [(String, Double)] = []
        for t in times {
            // Each level's point at t once (not once per pair).
            var points: [String: KaplanMeier.Point] = [:]
            for (label, curve) in estimates { points[label] = curve.survival(at: [t]).first }
            func point(_ label: String, _ t: Double) -> KaplanMeier.Point? { points[label] }
            for label in levels where estimates[label] != nil && point(label, t) == nil { past.append((label, t)) }
            for i in levels.indices {
                for j in levels.indices where j > i {
                    let (a, b) = (levels[i], levels[j])
                    var d = Difference(time: t, a: a, b: b, difference: nil, se: nil, lower: nil, upper: nil, p: nil, reason: nil)
                    guard let sa = point(a, t), let sb = point(b, t) else {
                        let missing = [a, b].filter { estimates[$0] == nil }
                        d.reason =
                            missing.isEmpty
                            ? "\(Format.short(t)) is past the last follow-up of \(point(a, t) == nil ? a : b)"
                            : "no patients in \(missing.joined(separator: " and "))"
                        out.append(d)
                        continue
                    }
                    let difference = sa.survival - sb.survival
                    let se = ((sa.standardError ?? 0) * (sa.standardError ?? 0) + (sb.standardError ?? 0) * (sb.standardError ?? 0))
                        .squareRoot()
                    d.difference = difference
                    d.se = se
                    d.lower = difference - z * se
                    d.upper = difference + z * se
                    // R: 2 * pnorm(-abs(D) / se); se = 0 gives 0 for D ≠ 0 and NaN (null here) for D = 0.
                    if se > 0 {
                        d.p = 2 * Normal.cdf(-abs(difference) / se)
                    } else if difference != 0 {
                        d.p = 0
                    } else {
                        d.reason = "both survival estimates are \(Format.short(sa.survival)) with no variance, so no test"
                    }
                    out.append(d)
                }
            }
        }
        return (out, past)
    }

    /// The `compare_at` table: one row per time and pair, the difference in percentage points.
    static func differencesTable(_ o: Output, _ p: Parameters) -> [ReportBlock] {
        guard let differences = o.differences, !differences.isEmpty else { return [] }
        let level = Format.short(100 * o.conf_level)
        let rows: [[ReportCell]] = differences.map { d in
            let interval =
                d.difference.map {
                    Format.interval(100 * $0, lower: d.lower.map { 100 * $0 }, upper: d.upper.map { 100 * $0 }, digits: 1, percent: false)
                } ?? "NA"
            return [
                .text("\(Format.short(d.time)) \(o.time_unit)"), .text("\(Format.display(d.a)) − \(Format.display(d.b))"),
                .text(interval), .text(d.p.map(Format.pValue) ?? "NA"),
            ]
        }
        return [
            .table(
                ReportTable(
                    name: "survival_differences_\(p.by ?? "overall")", title: "Survival differences by \(p.byLabel ?? p.by ?? "")",
                    header: ["Time", "Comparison", "Difference, percentage points (\(level)% CI)", "p"], rows: rows,
                    note:
                        "Kaplan–Meier survival of the first group minus the second at each time, Greenwood standard errors, normal confidence interval and z test (survminer's milestone comparison); NA past a group's follow-up."
                ))
        ]
    }
}

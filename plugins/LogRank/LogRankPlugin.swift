import CohortData
public import CohortPluginAPI
import CohortReport
public import CohortStatistics

/// `plugin: logrank` — the univariate table (Table 3): per grouping, n, events, observed and
/// expected deaths, survival at chosen times with CI, and the log-rank (or Peto–Peto) p-value.
/// Continuous variables are split at a `cutoff`: a number, `median`, or `{from: <roc_cutoff id>}`.
///
/// Version 2 (`analyses-v2.md`, "logrank"): `strata` (`survdiff(... + strata(s))`, several columns
/// as one interaction), `pairwise` (every pair of levels refitted, `p.adjust` over the pairs) and
/// `trend` (scores 1..k in declared order, for groupings with 3 or more levels; a 2-level grouping
/// gets `trend: null` with a `trend_reason`, since its trend test is the log-rank test itself).
///
/// Rules beyond the contract: `trend` needs declared `levels` for a category grouping (the order
/// of first appearance would make the scores depend on row order); declared levels no patient
/// has are not groups (survdiff drops them), so scores 1..k run over the levels that occur;
/// `pairwise` compares at most ``LogRankPairwise/maximumGroups`` levels (`pairwise_reason`
/// beyond); with fewer than two groups with expected events, χ² = 0 on df 0 and p = 1, as
/// survdiff gives, unless there is no event at all (null with a reason).
///
/// Issue 11: `landmark: L` — the patients followed at L, on the clock time − L (`times` too, and a
/// `median` cut-off is the median of those patients); see ``Landmark``.
public enum LogRankPlugin: PartitionedAnalysisPlugin {
    public static let name = "logrank"

    public enum Key: String, ParameterKey {
        case times, rho, groups, conf_type, conf_level, title, strata, pairwise, trend, landmark, figure
    }

    /// The keys of a grouping written as a mapping.
    public enum GroupingKey: String, ParameterKey {
        case variable, cutoff, label
    }

    /// The keys of a cut-off taken from an earlier analysis.
    public enum CutoffKey: String, ParameterKey {
        case from
    }

    /// Where a split point comes from.
    public enum CutoffSource: Sendable, Hashable {
        case value(Double)
        case median
        case analysis(String)
    }

    /// One variable compared by the test (a category, a boolean, or a number split at a cut-off).
    public struct Grouping: Sendable {
        /// The column compared.
        public var variable: String
        /// Where a numeric variable is split, `nil` for categories and booleans.
        public var cutoff: CutoffSource?
        /// The display label (`label:` or the column's label).
        public var label: String
    }

    /// The configuration of one `logrank` analysis.
    public struct Parameters: Sendable {
        /// Times at which each group's Kaplan–Meier survival is reported.
        public var times: [Double]
        /// 0 = log-rank, 1 = Peto–Peto (survdiff's `rho`).
        public var rho: Double
        /// The variables compared, one test each.
        public var groups: [Grouping]
        /// The confidence intervals of the survival estimates.
        public var confidence: SurvivalConfidence
        /// The report table's title, `nil` for the default.
        public var title: String?
        /// The time unit of the survival block.
        public var unit: String
        /// Stratum columns (category or boolean); their combinations form the strata.
        public var strata: [String] = []
        /// The adjustment of the pairwise comparisons; `nil` = `pairwise: none`, no comparisons.
        public var pairwise: PValueAdjustment? = nil
        /// Under `profile: ezr` the raw pairwise p is rounded to 3 significant digits before
        /// adjusting, as EZR's `pairwise.logrank.test` does.
        public var roundPairwise: Bool = false
        /// `trend: true`: a test for trend for each grouping with 3+ declared levels.
        public var trend: Bool = false
        /// Display labels of the stratum columns.
        public var strataLabels: [String] = []
        /// `landmark`: only patients followed at this time, on the clock time − landmark.
        public var landmark: Double? = nil
        /// `figure:` — a Kaplan–Meier figure per grouping with its p (`nil`: none, the default).
        public var figure: SurvivalFigureOptions? = nil
    }

    public struct Cutoff: Encodable, Sendable {
        public var value: Double
        public var source: String
        public var low: String
        public var high: String
    }

    public typealias AtTime = SurvivalAtTime

    /// One level's row of a test.
    public struct Group: Encodable, Sendable {
        /// The level (or the side of the cut-off).
        public var level: String
        /// Subjects used.
        public var n: Int
        /// Events (unweighted).
        public var events: Int
        /// Observed events, weighted (summed over strata).
        public var observed: Double
        /// Expected events under the null hypothesis (summed over strata).
        public var expected: Double
        /// Kaplan–Meier survival at `times` (rows past the group's follow-up are left out).
        public var at_times: [AtTime]
    }

    /// One pair of levels, refitted on its two groups.
    public struct Pair: Encodable, Sendable {
        /// The first level of the pair (earlier in the declared order).
        public var a: String
        /// The second level of the pair.
        public var b: String
        /// χ² of the test refitted on the pair's subjects, on 1 degree of freedom.
        public var chisq: Double?
        /// The unadjusted p.
        public var p: Double?
        /// `p.adjust` over all the pairs (of `signif(p, 3)` under profile ezr).
        public var p_adjusted: Double?
        /// Why the pair's test is not estimable (`nil` when it is).
        public var reason: String?
    }

    /// The pairwise comparisons of one grouping's levels (`pairwise: bonferroni | holm | BH`):
    /// every pair refitted on its two groups, with the same strata and rho as the main test.
    public struct Pairwise: Encodable, Sendable {
        /// `bonferroni`, `holm` or `BH` (R's `p.adjust` method names).
        public var adjust: String
        /// `true` when each p was rounded to 3 significant digits before adjusting (profile ezr).
        public var rounded: Bool
        /// The pairs in `combn` order of the levels: (1, 2), (1, 3), …, (2, 3), ….
        public var pairs: [Pair]
    }

    /// The log-rank test for trend (`trend: true`, groupings with 3+ levels): do the survival
    /// curves move monotonically along the declared level order?
    public struct Trend: Encodable, Sendable {
        /// (wᵀ(O − E))² / (wᵀVw) with scores w.
        public var chisq: Double
        /// Always 1.
        public var df: Int
        /// `pchisq(chisq, 1, lower.tail = FALSE)`.
        public var p: Double
        /// The scores, one per level in declared order.
        public var scores: [Double]
    }

    /// One grouping's test.
    public struct Test: Encodable, Sendable {
        /// The column compared.
        public var variable: String
        /// The split of a numeric variable, `nil` otherwise.
        public var cutoff: Cutoff?
        /// survdiff's χ²; `nil` when not estimable.
        public var chisq: Double?
        /// survdiff's df: groups with expected events > 0, minus 1.
        public var df: Int?
        /// `pchisq(chisq, df, lower.tail = FALSE)`.
        public var p: Double?
        /// Subjects with the grouping (and strata) present.
        public var n_used: Int
        /// One row per level with subjects, in declared order.
        public var groups: [Group]
        /// Why the test was not computed.
        public var error: String?
        /// Why the test is null (the same text as `error`), `nil` when it was computed.
        public var reason: String? = nil
        /// The stratum columns (empty when not stratified).
        public var strata: [String] = []
        /// How many strata the columns formed among the subjects used.
        public var strata_count: Int? = nil
        /// `nil` with `pairwise: none`, or when the grouping has too many levels to compare
        /// pairwise (`pairwise_reason` says so).
        public var pairwise: Pairwise? = nil
        /// Why `pairwise` is null although asked for, `nil` otherwise.
        public var pairwise_reason: String? = nil
        /// `nil` when not asked for or not estimable (`trend_reason` says which).
        public var trend: Trend? = nil
        public var trend_reason: String? = nil
        /// The method checks this test raised (gathered into the output's `warnings`).
        var checks: [MethodWarning] = []
        /// Each group's curve, for the figure (only with `figure:`; not part of results.json).
        var curves: [SurvivalPlot.Curve] = []

        enum CodingKeys: String, CodingKey {
            case variable, cutoff, chisq, df, p, n_used, groups, error, reason, strata, strata_count, pairwise, pairwise_reason, trend
            case trend_reason
        }
    }

    /// The result of a `logrank` analysis.
    public struct Output: Encodable, Sendable, WarningReporting {
        /// survdiff's `rho`.
        public var rho: Double
        /// The times of the survival estimates.
        public var times: [Double]
        /// One test per grouping, in the order of `groups`.
        public var tests: [Test]
        /// The stratum columns.
        public var strata: [String] = []
        /// `none`, `bonferroni`, `holm` or `BH`.
        public var pairwise: String = "none"
        /// Whether a test for trend was asked for.
        public var trend: Bool = false
        /// The landmark's counts (`null` without one).
        public var landmark: Landmark? = nil
        /// The method checks of all the tests, after those of the analysis as a whole.
        public var warnings: [MethodWarning] = []
        /// The checks of the analysis as a whole (`competing_events`), the same in every part.
        var analysisChecks: [MethodWarning] = []

        enum CodingKeys: String, CodingKey { case rho, times, tests, strata, pairwise, trend, landmark, warnings }

        init(
            rho: Double, times: [Double], tests: [Test], landmark: Landmark?, analysisChecks: [MethodWarning] = [],
            parameters p: Parameters
        ) {
            self.rho = rho
            self.times = times
            self.tests = tests
            self.strata = p.strata
            self.pairwise = p.pairwise?.rawValue ?? "none"
            self.trend = p.trend
            self.landmark = landmark
            self.analysisChecks = analysisChecks
            self.warnings = analysisChecks + tests.flatMap(\.checks)
        }
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let rho = try m.number(.rho) ?? 0
        if rho < 0, let node = m[.rho] { throw node.error(.invalidValue, "rho must be 0 (log-rank) or more (1 = Peto–Peto)") }
        let confidence = try m.survivalConfidence(type: .conf_type, level: .conf_level, profile: context.profile)
        var groups: [Grouping] = []
        // Category groupings without declared levels, where each is written (a test for trend
        // needs them: its scores follow the declared order, not the order rows happen to come in).
        var undeclared: [(variable: String, node: any ParameterValue)] = []
        for item in try m.required(.groups).items() {
            if item.shape == .scalar {
                let v = try context.variable(item, kinds: [.category, .boolean])
                if context.kinds[v] == .category, context.declaredLevels[v] == nil { undeclared.append((v, item)) }
                if let declared = context.declaredLevels[v], declared.count < 2 {
                    let count = declared.count == 1 ? "1 level" : "\(declared.count) levels"
                    throw item.error(.invalidValue, "'\(v)' declares \(count); a log-rank test compares at least two")
                }
                groups.append(Grouping(variable: v, cutoff: nil, label: context.label(v)))
                continue
            }
            let g = try item.mapping(GroupingKey.self)
            let variableNode = try g.required(.variable)
            let kind = context.kinds[try variableNode.string()]
            var cutoff: CutoffSource? = nil
            let v: String
            if let c = g[.cutoff] {
                v = try context.variable(variableNode, kinds: [.number, .integer])
                if c.shape == .mapping {
                    let from = try c.mapping(CutoffKey.self).required(.from)
                    let found = try context.earlierAnalysis(from)
                    guard found.output is any CutoffProviding.Type else {
                        throw from.error(.invalidValue, "analysis '\(found.id)' is a \(found.plugin) analysis; cut-offs come from roc_cutoff")
                    }
                    cutoff = .analysis(found.id)
                } else if try c.string() == "median" {
                    cutoff = .median
                } else {
                    cutoff = .value(try c.number())
                }
            } else {
                if kind == .number || kind == .integer {
                    throw variableNode.error(
                        .missingKey, "'\(try variableNode.string())' is numeric: give a cutoff (a number, median, or {from: <analysis>})")
                }
                v = try context.variable(variableNode, kinds: [.category, .boolean])
                if context.kinds[v] == .category, context.declaredLevels[v] == nil { undeclared.append((v, variableNode)) }
            }
            groups.append(Grouping(variable: v, cutoff: cutoff, label: try g.string(.label) ?? context.label(v)))
        }
        var parameters = Parameters(
            times: try m.numbers(.times) ?? [], rho: rho, groups: groups, confidence: confidence,
            title: try m.string(.title), unit: survival.unit)
        if let node = m[.strata] {
            let items = node.shape == .scalar ? [node] : try node.items()
            for item in items {
                let s = try context.variable(item, kinds: [.category, .boolean])
                if parameters.strata.contains(s) { throw item.error(.invalidValue, "'\(s)' is listed twice in strata") }
                if groups.contains(where: { $0.variable == s }) {
                    throw item.error(
                        .invalidValue, "'\(s)' is both a grouping and a stratum; a stratified test cannot compare the levels it stratifies on")
                }
                parameters.strata.append(s)
            }
            parameters.strataLabels = parameters.strata.map(context.label)
        }
        if let node = m[.pairwise] {
            let adjustment = try node.choice(PValueAdjustment.self)
            parameters.pairwise = adjustment == PValueAdjustment.none ? nil : adjustment
        }
        parameters.roundPairwise = context.profile == .ezr
        parameters.trend = try m.boolean(.trend) ?? false
        parameters.landmark = try m.landmark(.landmark)
        parameters.figure = try m.survivalFigure(.figure, absent: nil)
        if parameters.trend, let (v, node) = undeclared.first {
            throw node.error(
                .invalidValue,
                "'\(v)' has no declared levels; a test for trend scores the levels 1..k in their declared order, "
                    + "so declare them in columns (\(v): {type: category, levels: [...]})")
        }
        return parameters
    }

    /// The `roc_cutoff` analyses whose cut-offs split variables.
    public static func dependencies(of p: Parameters) -> [String] {
        var ids: [String] = []
        for case .analysis(let id)? in p.groups.map(\.cutoff) where !ids.contains(id) { ids.append(id) }
        return ids
    }

    /// One part per grouping: each test is independent of the others.
    public static func parts(of p: Parameters) -> [Parameters] {
        parts(of: p, splitting: \.groups)
    }

    public static func merge(_ outputs: [Output], parameters p: Parameters) -> Output {
        // Every part applies the same landmark to the same rows: the first part's counts are all of them.
        Output(
            rho: p.rho, times: p.times, tests: outputs.flatMap(\.tests), landmark: outputs.first?.landmark,
            analysisChecks: outputs.first?.analysisChecks ?? [], parameters: p)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _, landmark) = try input.survival(landmark: p.landmark)
        let strata = try LogRankStrata(p.strata, input: input, rows: rows)
        let tests = p.groups.map { grouping in
            do {
                return try test(grouping, p, input: input, data: data, rows: rows, strata: strata)
            } catch {
                // A landmark past every time leaves no patient: say so rather than blame the groups.
                let reason = data.count == 0 && p.landmark != nil ? Landmark.noPatientsReason : AnalysisError(describing: error).message
                return Test(
                    variable: grouping.variable, cutoff: nil, chisq: nil, df: nil, p: nil, n_used: 0, groups: [],
                    error: reason, reason: reason, strata: p.strata,
                    checks: [notEstimable("log-rank test", of: grouping, reason: reason)])
            }
        }
        let competing = input.competingEventsWarning(analysis: "log-rank test").map { [$0] } ?? []
        return Output(rho: p.rho, times: p.times, tests: tests, landmark: landmark, analysisChecks: competing, parameters: p)
    }

    /// The `not_estimable` warning of a null figure of a grouping's test.
    static func notEstimable(_ what: String, of g: Grouping, reason: String) -> MethodWarning {
        MethodWarning(
            .notEstimable, "\(what) for \(g.label) not estimable: \(reason)",
            details: [("what", .string("\(what) \(g.variable)"))])
    }

    static func test(
        _ g: Grouping, _ p: Parameters, input: AnalysisInput, data: SurvivalData, rows: RowSelection, strata: LogRankStrata
    ) throws -> Test {
        var codes: [Int32]
        var levels: [String]
        var cutoff: Cutoff? = nil
        // Every row, no strata, every level present: the grouping straight from the column's
        // one-byte storage (no per-subject copy of the codes).
        let direct = g.cutoff == nil ? try directCodes(g, data: data, rows: rows, strata: strata, input: input) : nil
        if let source = g.cutoff {
            let x = try input.numbers(g.variable, rows: rows)
            let threshold: Double
            let sourceName: String
            switch source {
            case .value(let v):
                threshold = v
                sourceName = "value"
            case .median:
                guard let m = ContinuousSummary(x).median else { throw AnalysisError(.emptyInput, "'\(g.variable)' has no values") }
                threshold = m
                sourceName = "median"
            case .analysis(let id):
                threshold = try input.cutoff(from: id, variable: g.variable)
                sourceName = id
            }
            let t = Format.short(threshold, significant: 4)
            cutoff = Cutoff(value: threshold, source: sourceName, low: "< \(t)", high: ">= \(t)")
            levels = ["< \(t)", ">= \(t)"]
            codes = x.map { $0.isNaN ? -1 : ($0 < threshold ? 0 : 1) }
        } else if let direct {
            (codes, levels) = ([], direct.levels)
        } else {
            (codes, levels) = try input.groups(g.variable, rows: rows)
        }
        let declaredLevels = levels.count
        // Without pairwise comparisons (which walk subjects), the direct grouping is counted by
        // time and group in one pass: the test and the curves read the counts.
        let grouping: GroupingSubjects
        if let direct, p.pairwise == nil, let table = try data.groupTimeTable(bytes: direct.bytes, count: levels.count) {
            grouping = .counted(table)
        } else if let direct {
            grouping = .assigned(try data.assign(bytes: direct.bytes, count: levels.count))
        } else {
            // Complete cases of the grouping and the strata (refs_v2_lib.R logrank_test).
            if let stratumCodes = strata.codes {
                for i in codes.indices where i >= stratumCodes.count || stratumCodes[i] < 0 { codes[i] = -1 }
            }
            // Levels without subjects are not groups of the test (as R's factor() of the data).
            var seen = [Bool](repeating: false, count: levels.count)
            for c in codes where c >= 0 { seen[Int(c)] = true }
            if seen.contains(false) {
                let present = levels.indices.filter { seen[$0] }
                var remap = [Int32](repeating: -1, count: levels.count)
                for (new, old) in present.enumerated() { remap[old] = Int32(new) }
                codes = codes.map { $0 < 0 ? -1 : remap[Int($0)] }
                levels = present.map { levels[$0] }
            }
            grouping = .assigned(try data.assign(codes, count: levels.count))
        }
        let strataAssignment = try strata.codes.map { try data.assign($0, count: strata.count) }
        let test: LogRankTest
        switch grouping {
        case .counted(let table): test = try LogRankTest(table, rho: p.rho)
        case .assigned(let assignment): test = try LogRankTest(data, groups: assignment, strata: strataAssignment, rho: p.rho)
        }
        var checks: [MethodWarning] = []
        var pairwise: Pairwise? = nil
        var pairwiseReason: String? = nil
        if let adjustment = p.pairwise, case .assigned(let assignment) = grouping {
            let comparisons = try LogRankPairwise(
                data, groups: assignment, strata: strataAssignment, rho: p.rho, adjustment: adjustment,
                roundingToThreeDigits: p.roundPairwise)
            let pairs = comparisons.pairs.map { pair in
                Pair(
                    a: levels[pair.a], b: levels[pair.b], chisq: pair.chiSquare, p: pair.p, p_adjusted: pair.pAdjusted,
                    reason: pair.reason)
            }
            for pair in pairs {
                if let reason = pair.reason { checks.append(notEstimable("pairwise log-rank test \(pair.a) vs \(pair.b)", of: g, reason: reason)) }
            }
            if let reason = comparisons.reason {
                pairwiseReason = reason
                checks.append(notEstimable("pairwise log-rank tests", of: g, reason: reason))
            } else {
                pairwise = Pairwise(adjust: adjustment.rawValue, rounded: p.roundPairwise, pairs: pairs)
            }
        }
        var trend: Trend? = nil
        var trendReason: String? = nil
        if p.trend {
            if declaredLevels < 3 {
                trendReason = "not applicable: \(g.label) has \(declaredLevels) levels, and with 2 the test for trend is the log-rank test"
            } else {
                do {
                    // refs_v2_lib.R: w <- seq_along(lv), scores 1..k in declared order.
                    let scores = levels.indices.map { Double($0 + 1) }
                    let t = try LogRankTrend(test, scores: scores)
                    trend = Trend(chisq: t.chiSquare, df: t.degreesOfFreedom, p: t.p, scores: scores)
                } catch let error as StatisticsError {
                    trendReason = error.message
                    checks.append(notEstimable("log-rank test for trend", of: g, reason: error.message))
                }
            }
        }
        let timeCounts: [[TimeCount]]
        switch grouping {
        case .counted(let table): timeCounts = table.timeCounts()
        case .assigned(let assignment): timeCounts = data.timeCounts(by: assignment)
        }
        var groups: [Group] = []
        var curves: [SurvivalPlot.Curve] = []
        for (k, level) in levels.enumerated() {
            let km = try KaplanMeier(timeCounts[k], confidence: p.confidence)
            if p.figure != nil { curves.append(SurvivalPlot.Curve(label: Format.display(level), estimate: km)) }
            let atTimes = km.survival(at: p.times).map { SurvivalAtTime($0) }
            // summary(fit, times, extend = FALSE) lists no row past the group's last time.
            for t in p.times where t.isFinite && !atTimes.contains(where: { $0.time == t }) {
                checks.append(
                    MethodWarning(
                        .pastFollowUp,
                        "\(g.label) = \(level): survival at \(Format.short(t)) \(p.unit) is not estimable, past the group's last follow-up",
                        details: [("group", .string(level)), ("time", .number(t)), ("variable", .string(g.variable))]))
            }
            groups.append(
                Group(
                    level: level, n: test.groups[k].count, events: test.groups[k].events,
                    observed: test.groups[k].observed, expected: test.groups[k].expected, at_times: atTimes))
        }
        checks += input.immortalTimeWarnings(for: [g.variable], rows: rows, landmark: p.landmark)
        return Test(
            variable: g.variable, cutoff: cutoff, chisq: test.chiSquare, df: test.degreesOfFreedom, p: test.p,
            n_used: test.countUsed, groups: groups, error: nil, strata: p.strata,
            strata_count: strata.codes == nil ? nil : strata.present(among: codes), pairwise: pairwise,
            pairwise_reason: pairwiseReason, trend: trend,
            trend_reason: trendReason, checks: checks, curves: curves)
    }

    /// How a grouping's subjects reach the test and the curves: counted by time and group in
    /// one pass (no strata, no pairwise comparisons), or assigned in time order subject by subject.
    enum GroupingSubjects {
        case counted(SurvivalData.GroupTimeTable)
        case assigned(SurvivalData.GroupAssignment)
    }

    /// A category (or boolean) grouping's one-byte codes, to assign or count straight from, when
    /// the test uses every row of the table without strata and every level has subjects (so no
    /// level is renumbered; a missing code, 255, leaves its subject out); `nil` otherwise.
    static func directCodes(
        _ g: Grouping, data: SurvivalData, rows: RowSelection, strata: LogRankStrata, input: AnalysisInput
    ) throws -> (bytes: [UInt8], levels: [String])? {
        guard strata.codes == nil, rows.isAll, let column = try input.column(g.variable).groups, let bytes = column.codes.bytes,
            bytes.count == data.count, let tally = column.codes.levelCounts(column.levels.count), !tally.counts.contains(0)
        else { return nil }
        return (bytes, column.levels)
    }
}

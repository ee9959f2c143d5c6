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
public enum LogRankPlugin: PartitionedAnalysisPlugin {
    public static let name = "logrank"

    public enum Key: String, ParameterKey {
        case times, rho, groups, conf_type, conf_level, title, strata, pairwise, trend
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

    public struct Grouping: Sendable {
        public var variable: String
        public var cutoff: CutoffSource?
        public var label: String
    }

    public struct Parameters: Sendable {
        public var times: [Double]
        public var rho: Double
        public var groups: [Grouping]
        public var confidence: SurvivalConfidence
        public var title: String?
        public var unit: String
        /// Stratum columns (category or boolean); their combinations form the strata.
        public var strata: [String] = []
        /// The adjustment of the pairwise comparisons; `nil` = `pairwise: none`, no comparisons.
        public var pairwise: PValueAdjustment? = nil
        /// Under `profile: ezr` the raw pairwise p is rounded to 3 significant digits before
        /// adjusting, as EZR's `pairwise.logrank.test` does.
        public var roundPairwise: Bool = false
        public var trend: Bool = false
        /// Display labels of the stratum columns.
        public var strataLabels: [String] = []
    }

    public struct Cutoff: Encodable, Sendable {
        public var value: Double
        public var source: String
        public var low: String
        public var high: String
    }

    public typealias AtTime = SurvivalAtTime

    public struct Group: Encodable, Sendable {
        public var level: String
        public var n: Int
        public var events: Int
        public var observed: Double
        public var expected: Double
        public var at_times: [AtTime]
    }

    /// One pair of levels, refitted on its two groups.
    public struct Pair: Encodable, Sendable {
        public var a: String
        public var b: String
        public var chisq: Double?
        /// The unadjusted p.
        public var p: Double?
        /// `p.adjust` over all the pairs (of `signif(p, 3)` under profile ezr).
        public var p_adjusted: Double?
        /// Why the pair's test is not estimable (`nil` when it is).
        public var reason: String?
    }

    public struct Pairwise: Encodable, Sendable {
        /// `bonferroni`, `holm` or `BH` (R's `p.adjust` method names).
        public var adjust: String
        /// `true` when each p was rounded to 3 significant digits before adjusting (profile ezr).
        public var rounded: Bool
        public var pairs: [Pair]
    }

    public struct Trend: Encodable, Sendable {
        public var chisq: Double
        public var df: Int
        public var p: Double
        /// The scores, one per level in declared order.
        public var scores: [Double]
    }

    public struct Test: Encodable, Sendable {
        public var variable: String
        public var cutoff: Cutoff?
        public var chisq: Double?
        public var df: Int?
        public var p: Double?
        public var n_used: Int
        public var groups: [Group]
        public var error: String?
        /// Why the test is null (the same text as `error`), `nil` when it was computed.
        public var reason: String? = nil
        /// The stratum columns (empty when not stratified).
        public var strata: [String] = []
        /// How many strata the columns formed among the subjects used.
        public var strata_count: Int? = nil
        /// `nil` with `pairwise: none`.
        public var pairwise: Pairwise? = nil
        /// `nil` when not asked for or not estimable (`trend_reason` says which).
        public var trend: Trend? = nil
        public var trend_reason: String? = nil
        /// The method checks this test raised (gathered into the output's `warnings`).
        var checks: [MethodWarning] = []

        enum CodingKeys: String, CodingKey {
            case variable, cutoff, chisq, df, p, n_used, groups, error, reason, strata, strata_count, pairwise, trend, trend_reason
        }
    }

    public struct Output: Encodable, Sendable, WarningReporting {
        public var rho: Double
        public var times: [Double]
        public var tests: [Test]
        /// The stratum columns.
        public var strata: [String] = []
        /// `none`, `bonferroni`, `holm` or `BH`.
        public var pairwise: String = "none"
        public var trend: Bool = false
        public var warnings: [MethodWarning] = []

        init(rho: Double, times: [Double], tests: [Test], parameters p: Parameters) {
            self.rho = rho
            self.times = times
            self.tests = tests
            self.strata = p.strata
            self.pairwise = p.pairwise?.rawValue ?? "none"
            self.trend = p.trend
            self.warnings = tests.flatMap(\.checks)
        }
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let survival = try context.requireSurvival(at: m.value)
        let rho = try m.number(.rho) ?? 0
        if rho < 0, let node = m[.rho] { throw node.error(.invalidValue, "rho must be 0 (log-rank) or more (1 = Peto–Peto)") }
        let confidence = try m.survivalConfidence(type: .conf_type, level: .conf_level, profile: context.profile)
        var groups: [Grouping] = []
        for item in try m.required(.groups).items() {
            if item.shape == .scalar {
                let v = try context.variable(item, kinds: [.category, .boolean])
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
        Output(rho: p.rho, times: p.times, tests: outputs.flatMap(\.tests), parameters: p)
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _) = try input.survival()
        let strata = try LogRankStrata(p.strata, input: input, rows: rows)
        let tests = p.groups.map { grouping in
            do {
                return try test(grouping, p, input: input, data: data, rows: rows, strata: strata)
            } catch {
                let reason = AnalysisError(describing: error).message
                return Test(
                    variable: grouping.variable, cutoff: nil, chisq: nil, df: nil, p: nil, n_used: 0, groups: [],
                    error: reason, reason: reason, strata: p.strata,
                    checks: [notEstimable("log-rank test", of: grouping, reason: reason)])
            }
        }
        return Output(rho: p.rho, times: p.times, tests: tests, parameters: p)
    }

    /// The `not_estimable` warning of a null figure of a grouping's test.
    static func notEstimable(_ what: String, of g: Grouping, reason: String) -> MethodWarning {
        MethodWarning(
            .notEstimable, "\(what) for \(g.label) not estimable: \(reason)",
            details: [("what", .string("\(what) \(g.variable)"))])
    }

    static func test(
        _ g: Grouping, _ p: Parameters, input: AnalysisInput, data: SurvivalData, rows: [Int], strata: LogRankStrata
    ) throws -> Test {
        var codes: [Int32]
        var levels: [String]
        var cutoff: Cutoff? = nil
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
        } else {
            (codes, levels) = try input.groups(g.variable, rows: rows)
        }
        // Complete cases of the grouping and the strata (refs_v2_lib.R logrank_test).
        if let stratumCodes = strata.codes {
            for i in codes.indices where i >= stratumCodes.count || stratumCodes[i] < 0 { codes[i] = -1 }
        }
        let declaredLevels = levels.count
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
        let assignment = try data.assign(codes, count: levels.count)
        let strataAssignment = try strata.codes.map { try data.assign($0, count: strata.count) }
        let test = try LogRankTest(data, groups: assignment, strata: strataAssignment, rho: p.rho)
        var checks: [MethodWarning] = []
        var pairwise: Pairwise? = nil
        if let adjustment = p.pairwise {
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
            pairwise = Pairwise(adjust: adjustment.rawValue, rounded: p.roundPairwise, pairs: pairs)
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
        let sorted = data.sorted(by: assignment)
        var groups: [Group] = []
        for (k, level) in levels.enumerated() {
            let km = try KaplanMeier(sorted[k], confidence: p.confidence)
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
        return Test(
            variable: g.variable, cutoff: cutoff, chisq: test.chiSquare, df: test.degreesOfFreedom, p: test.p,
            n_used: test.countUsed, groups: groups, error: nil, strata: p.strata,
            strata_count: strata.codes == nil ? nil : strata.present(among: codes), pairwise: pairwise, trend: trend,
            trend_reason: trendReason, checks: checks)
    }
}

import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: logrank` — the univariate table (Table 3): per grouping, n, events, observed and
/// expected deaths, survival at chosen times with CI, and the log-rank (or Peto–Peto) p-value.
/// Continuous variables are split at a `cutoff`: a number, `median`, or `{from: <roc_cutoff id>}`.
public enum LogRankPlugin: PartitionedAnalysisPlugin {
    public static let name = "logrank"

    public enum Key: String, ParameterKey {
        case times, rho, groups, conf_type, conf_level, title
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

    public struct Test: Encodable, Sendable {
        public var variable: String
        public var cutoff: Cutoff?
        public var chisq: Double?
        public var df: Int?
        public var p: Double?
        public var n_used: Int
        public var groups: [Group]
        public var error: String?
    }

    public struct Output: Encodable, Sendable {
        public var rho: Double
        public var times: [Double]
        public var tests: [Test]
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
        return Parameters(
            times: try m.numbers(.times) ?? [], rho: rho, groups: groups, confidence: confidence,
            title: try m.string(.title), unit: survival.unit)
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
        Output(rho: p.rho, times: p.times, tests: outputs.flatMap(\.tests))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let (data, rows, _) = try input.survival()
        let tests = p.groups.map { grouping in
            do {
                return try test(grouping, p, input: input, data: data, rows: rows)
            } catch {
                return Test(
                    variable: grouping.variable, cutoff: nil, chisq: nil, df: nil, p: nil, n_used: 0, groups: [],
                    error: AnalysisError(describing: error).message)
            }
        }
        return Output(rho: p.rho, times: p.times, tests: tests)
    }

    static func test(_ g: Grouping, _ p: Parameters, input: AnalysisInput, data: SurvivalData, rows: [Int]) throws -> Test {
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
        let test = try LogRankTest(data, groups: assignment, rho: p.rho)
        let sorted = data.sorted(by: assignment)
        var groups: [Group] = []
        for (k, level) in levels.enumerated() {
            let km = try KaplanMeier(sorted[k], confidence: p.confidence)
            groups.append(
                Group(
                    level: level, n: test.groups[k].count, events: test.groups[k].events,
                    observed: test.groups[k].observed, expected: test.groups[k].expected,
                    at_times: km.survival(at: p.times).map {
                        SurvivalAtTime($0)
                    }))
        }
        return Test(
            variable: g.variable, cutoff: cutoff, chisq: test.chiSquare, df: test.degreesOfFreedom, p: test.p,
            n_used: test.countUsed, groups: groups, error: nil)
    }

    public static func report(_ o: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        let level = Format.short(100 * p.confidence.level)
        var header = ["Variable", "Group", "n"]
        for t in o.times { header.append("\(Format.short(t))-\(context.timeUnit) survival (\(level)% CI)") }
        header.append(o.rho == 0 ? "Log-rank p" : "Peto–Peto p")
        var rows: [[ReportCell]] = []
        for (test, grouping) in zip(o.tests, p.groups) {
            if let error = test.error {
                rows.append([.text(grouping.label), .text("not tested: \(error)"), .text("")] + o.times.map { _ in .text("") } + [.text("")])
                continue
            }
            for (k, g) in test.groups.enumerated() {
                var row: [ReportCell] = [.text(k == 0 ? grouping.label : ""), .text(Format.display(g.level)), .count(g.n, percent: nil)]
                for t in o.times {
                    if let a = g.at_times.first(where: { $0.time == t }) {
                        row.append(.text(Format.interval(a.survival, lower: a.lower, upper: a.upper, digits: 1, percent: true)))
                    } else {
                        row.append(.text("NA"))
                    }
                }
                row.append(.text(k == 0 ? test.p.map(Format.pValue) ?? "NA" : ""))
                rows.append(row)
            }
        }
        return [
            .table(
                ReportTable(
                    name: "table3_univariate", title: p.title ?? "Univariate analysis of overall survival",
                    header: header, rows: rows,
                    note:
                        "Kaplan–Meier estimates with \(p.confidence.type.rawValue) confidence intervals; p from the \(o.rho == 0 ? "log-rank" : "Peto–Peto") test."
                ))
        ]
    }
}

import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: descriptives` — the patient-characteristics table (Table 1): median (range) and
/// quartiles of numeric variables, n (%) of categories, counts in integer bins; with `by`, the
/// same per group, a test per variable (`tests: ezr | gtsummary`) and tableone's SMD
/// (`analyses-v2.md`, "descriptives").
public enum DescriptivesPlugin: PartitionedAnalysisPlugin {
    public static let name = "descriptives"

    public enum Key: String, ParameterKey {
        case variables, bins, digits, title, by, tests, nonnormal, smd, missing
        case fisherTimeLimit = "fisher_time_limit"
    }

    /// Which tests compare the groups: EZR's Table 1 (tableone's `print(exact =, nonnormal =)`) or
    /// gtsummary's `add_p()` defaults.
    public enum TestRule: String, CaseIterable, Sendable {
        case none, ezr, gtsummary
    }

    /// When the report prints a "Missing" row (results.json always has the counts).
    public enum MissingDisplay: String, CaseIterable, Sendable {
        case no, ifany, always
    }

    public struct Parameters: Sendable {
        public var variables: [String]
        public var bins: [String: IntegerBins]
        public var digits: [String: Int]
        public var title: String?
        public var labels: [String: String]
        /// The grouping variable (category or boolean), if any.
        public var by: String?
        public var tests: TestRule = .none
        /// Variables tested with Kruskal–Wallis instead of ANOVA (`tests: ezr`).
        public var nonnormal: Set<String> = []
        public var smd = false
        /// `nil`: v1's display (a Missing row when there are missing values) without `by`, `no` with it.
        public var missing: MissingDisplay?
        /// Seconds Fisher's exact test may enumerate tables before its p is reported as not estimable.
        public var fisherBudget: Duration = .seconds(5)
    }

    public struct Level: Encodable, Sendable {
        public var level: String
        public var n: Int
        public var percent: Double?
    }

    /// One variable of the table. Which keys results.json gives depends on the variable's type:
    /// `median`…`sd` for continuous and binned variables, `levels` for categorical and binned ones
    /// (a key that does not apply is not written; a statistic that is not estimable is `null`).
    public struct Variable: Encodable, Sendable {
        public var name: String
        public var n: Int
        public var missing: Int
        public var summary: Summary

        public enum Summary: Sendable {
            case continuous(Numeric)
            case categorical([Level])
            case binned(Numeric, [Level])
        }

        /// Median, range, quartiles, mean and SD; `nil` where not estimable (no values).
        public struct Numeric: Sendable {
            public var median: Double?
            public var min: Double?
            public var max: Double?
            public var q1: Double?
            public var q3: Double?
            public var mean: Double?
            public var sd: Double?
        }

        /// "continuous", "categorical" or "binned".
        public var type: String {
            switch summary {
            case .continuous: return "continuous"
            case .categorical: return "categorical"
            case .binned: return "binned"
            }
        }

        public var numeric: Numeric? {
            switch summary {
            case .continuous(let n), .binned(let n, _): return n
            case .categorical: return nil
            }
        }

        public var levels: [Level] {
            switch summary {
            case .continuous: return []
            case .categorical(let l), .binned(_, let l): return l
            }
        }

        /// With `by`: the groups, the test and the SMD.
        public var comparison: ComparisonPart = .none

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: SummaryKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(type, forKey: .type)
            if case .groups(let comparison) = comparison {
                try encodeSummary(n: n, missing: missing, summary: summary, explicitNulls: true, into: &c)
                try comparison.encode(into: &c)
            } else {
                try encodeSummary(n: n, missing: missing, summary: summary, into: &c)
            }
        }
    }

    public struct Output: Encodable, Sendable, WarningReporting {
        public var variables: [Variable]
        /// With `by`: the rows left out because `by` is missing and by's levels in declared order.
        public var grouping: OutputGrouping = .none
        public var warnings: [MethodWarning] = []

        public init(variables: [Variable], grouping: OutputGrouping = .none, warnings: [MethodWarning] = []) {
            self.variables = variables
            self.grouping = grouping
            self.warnings = warnings
        }

        /// With `by`, the rows left out because `by` is missing.
        public var byMissing: Int? {
            if case .by(let missing, _) = grouping { return missing }
            return nil
        }

        /// With `by`, its levels in declared order (the columns of the table).
        public var groupLevels: [String]? {
            if case .by(_, let levels) = grouping { return levels }
            return nil
        }

        enum CodingKeys: String, CodingKey {
            case byMissing = "by_missing"
            case groupLevels = "group_levels"
            case variables, warnings
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if case .by(let missing, let levels) = grouping {
                try c.encode(missing, forKey: .byMissing)
                try c.encode(levels, forKey: .groupLevels)
            }
            try c.encode(variables, forKey: .variables)
            try c.encode(warnings, forKey: .warnings)
        }
    }

    /// Whether the table compares groups (v1's results have none of these keys).
    public enum OutputGrouping: Sendable {
        case none
        case by(missing: Int, levels: [String])
    }

    /// What `by` adds to a variable (v1's results have none of it).
    public enum ComparisonPart: Sendable {
        case none
        case groups(Comparison)
    }

    public static func parameters(from m: ParameterMapping<Key>, context: AnalysisContext) throws -> Parameters {
        let allowed: Set<ColumnKind> = [.number, .integer, .category, .boolean]
        var names = try context.variables(m.required(.variables), kinds: allowed)
        var bins: [String: IntegerBins] = [:]
        if let node = m[.bins] {
            for entry in try node.entries() {
                let name = try context.variable(entry.key, kinds: [.number, .integer])
                do {
                    bins[name] = try IntegerBins(entry.value.strings())
                } catch let error as StatisticsError {
                    throw entry.value.error(.invalidValue, error.message)
                }
                if !names.contains(name) { names.append(name) }
            }
        }
        var digits: [String: Int] = [:]
        if let node = m[.digits] {
            for entry in try node.entries() {
                digits[try context.variable(entry.key)] = try entry.value.integer()
            }
        }
        var p = Parameters(variables: names, bins: bins, digits: digits, title: try m.string(.title), labels: context.labels)
        try readComparison(m, context: context, into: &p)
        return p
    }

    /// One part per variable.
    public static func parts(of p: Parameters) -> [Parameters] {
        parts(of: p, splitting: \.variables)
    }

    public static func merge(_ outputs: [Output], parameters: Parameters) -> Output {
        Output(
            variables: outputs.flatMap(\.variables), grouping: outputs.first?.grouping ?? .none,
            warnings: outputs.flatMap(\.warnings))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        if p.by != nil { return try compare(p, input: input) }
        let variables = try p.variables.map { try summarise($0, p, input: input) }
        return Output(variables: variables)
    }

    static func summarise(_ name: String, _ p: Parameters, input: AnalysisInput) throws -> Variable {
        let column = try input.column(name)
        if let groups = column.groups {
            let (n, missing, summary) = try describe(codes: groups.codes, levels: groups.levels)
            return Variable(name: name, n: n, missing: missing, summary: summary)
        }
        guard let values = column.numbers else {
            throw AnalysisError(.typeMismatch, "'\(name)' cannot be summarised")
        }
        let (n, missing, summary) = try describe(name, values: values, bins: p.bins[name])
        return Variable(name: name, n: n, missing: missing, summary: summary)
    }

    /// n, missing and the counts of a categorical variable's codes (negative = missing).
    static func describe(codes: [Int32], levels: [String]) throws -> (Int, Int, Variable.Summary) {
        summarised(try CategoricalSummary(codes: codes, levelCount: levels.count), levels: levels)
    }

    /// The same for a column's codes, counted in their own storage (no `Int32` copy of the column).
    static func describe(codes: CategoryCodes, levels: [String]) throws -> (Int, Int, Variable.Summary) {
        // A code not below the level count: the error the codes' routine gives for it.
        guard let tally = codes.levelCounts(levels.count) else { return try describe(codes: Array(codes), levels: levels) }
        return summarised(CategoricalSummary(counts: tally.counts, missing: tally.missing), levels: levels)
    }

    private static func summarised(_ summary: CategoricalSummary, levels: [String]) -> (Int, Int, Variable.Summary) {
        (
            summary.count, summary.missing,
            .categorical(summary.levels.map { Level(level: levels[$0.code], n: $0.count, percent: $0.percent) })
        )
    }

    /// n, missing and the statistics of a numeric variable (NaN = missing), binned when `bins` is given.
    static func describe(_ name: String, values: [Double], bins: IntegerBins?) throws -> (Int, Int, Variable.Summary) {
        let s = ContinuousSummary(values)
        let numeric = Variable.Numeric(
            median: s.median, min: s.minimum, max: s.maximum, q1: s.firstQuartile, q3: s.thirdQuartile,
            mean: s.mean, sd: s.standardDeviation)
        guard let bins else { return (s.count, s.missing, .continuous(numeric)) }
        let codes: [Int32]
        do { codes = try bins.codes(values) } catch let error as StatisticsError {
            throw AnalysisError(.init(error.code.name), "'\(name)': \(error.message)")
        }
        let counts = try CategoricalSummary(codes: codes, levelCount: bins.bins.count)
        return (
            s.count, s.missing,
            .binned(numeric, counts.levels.map { Level(level: bins.bins[$0.code].label, n: $0.count, percent: $0.percent) })
        )
    }

    /// Decimals for a median (range): 0 for whole numbers, 2 below 10, else 1 (as the paper prints).
    static func digits(for v: Variable.Numeric, override: Int?) -> Int {
        if let override { return override }
        let values = [v.median, v.min, v.max].compactMap { $0 }
        if values.allSatisfy({ $0 == $0.rounded() }) { return 0 }
        return (values.map(abs).max() ?? 0) < 10 ? 2 : 1
    }

    public static func report(_ output: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        if let levels = output.groupLevels { return comparisonReport(output, levels: levels, parameters: p) }
        var rows: [[ReportCell]] = []
        for v in output.variables {
            let label = p.labels[v.name] ?? v.name
            if let numeric = v.numeric {
                let d = digits(for: numeric, override: p.digits[v.name])
                let text =
                    numeric.median.map { m in
                        "\(Format.fixed(m, digits: d)) (\(Format.fixed(numeric.min ?? m, digits: d))–\(Format.fixed(numeric.max ?? m, digits: d)))"
                    } ?? "NA"
                rows.append([.text(label), .text("Median (range)"), .text(text)])
            }
            let categorical = v.numeric == nil
            // Levels that never occur are in results.json but not in the printed table (bins always are).
            for (k, level) in v.levels.filter({ $0.n > 0 || !categorical }).enumerated() {
                rows.append([
                    .text(categorical && k == 0 ? label : ""),
                    .text(Format.display(level.level)), .count(level.n, percent: level.percent),
                ])
            }
            let showMissing: Bool
            switch p.missing {
            case nil, .ifany: showMissing = v.missing > 0
            case .no: showMissing = false
            case .always: showMissing = true
            }
            if showMissing { rows.append([.text(""), .text("Missing"), .count(v.missing, percent: nil)]) }
        }
        let n = output.variables.first.map { $0.n + $0.missing } ?? 0
        return [
            .table(
                ReportTable(
                    name: "table1_characteristics", title: p.title ?? "Patient characteristics (n = \(n))",
                    header: ["Variable", "", "n (%) or median (range)"], rows: rows, continuingColumns: [0]))
        ]
    }
}

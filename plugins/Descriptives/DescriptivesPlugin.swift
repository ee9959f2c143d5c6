import CohortData
public import CohortPluginAPI
public import CohortReport
public import CohortStatistics

/// `plugin: descriptives` — the patient-characteristics table (Table 1): median (range) and
/// quartiles of numeric variables, n (%) of categories, counts in integer bins.
public enum DescriptivesPlugin: PartitionedAnalysisPlugin {
    public static let name = "descriptives"

    public enum Key: String, ParameterKey {
        case variables, bins, digits, title
    }

    public struct Parameters: Sendable {
        public var variables: [String]
        public var bins: [String: IntegerBins]
        public var digits: [String: Int]
        public var title: String?
        public var labels: [String: String]
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

        enum CodingKeys: String, CodingKey { case name, type, n, missing, median, min, max, q1, q3, mean, sd, levels }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(type, forKey: .type)
            try c.encode(n, forKey: .n)
            try c.encode(missing, forKey: .missing)
            if let s = numeric {
                try c.encodeIfPresent(s.median, forKey: .median)
                try c.encodeIfPresent(s.min, forKey: .min)
                try c.encodeIfPresent(s.max, forKey: .max)
                try c.encodeIfPresent(s.q1, forKey: .q1)
                try c.encodeIfPresent(s.q3, forKey: .q3)
                try c.encodeIfPresent(s.mean, forKey: .mean)
                try c.encodeIfPresent(s.sd, forKey: .sd)
            }
            switch summary {
            case .continuous: break
            case .categorical(let levels), .binned(_, let levels): try c.encode(levels, forKey: .levels)
            }
        }
    }

    public struct Output: Encodable, Sendable {
        public var variables: [Variable]
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
        return Parameters(variables: names, bins: bins, digits: digits, title: try m.string(.title), labels: context.labels)
    }

    /// One part per variable.
    public static func parts(of p: Parameters) -> [Parameters] {
        parts(of: p, splitting: \.variables)
    }

    public static func merge(_ outputs: [Output], parameters: Parameters) -> Output {
        Output(variables: outputs.flatMap(\.variables))
    }

    public static func run(_ p: Parameters, input: AnalysisInput) throws -> Output {
        let variables = try p.variables.map { try summarise($0, p, input: input) }
        return Output(variables: variables)
    }

    static func summarise(_ name: String, _ p: Parameters, input: AnalysisInput) throws -> Variable {
        let column = try input.column(name)
        if let groups = column.groups {
            let summary = try CategoricalSummary(codes: groups.codes, levelCount: groups.levels.count)
            return Variable(
                name: name, n: summary.count, missing: summary.missing,
                summary: .categorical(
                    summary.levels.map { Level(level: groups.levels[$0.code], n: $0.count, percent: $0.percent) }))
        }
        guard let values = column.numbers else {
            throw AnalysisError(.typeMismatch, "'\(name)' cannot be summarised")
        }
        let s = ContinuousSummary(values)
        let numeric = Variable.Numeric(
            median: s.median, min: s.minimum, max: s.maximum, q1: s.firstQuartile, q3: s.thirdQuartile,
            mean: s.mean, sd: s.standardDeviation)
        guard let bins = p.bins[name] else {
            return Variable(name: name, n: s.count, missing: s.missing, summary: .continuous(numeric))
        }
        let codes: [Int32]
        do { codes = try bins.codes(values) } catch let error as StatisticsError {
            throw AnalysisError(.init(error.code.name), "'\(name)': \(error.message)")
        }
        let counts = try CategoricalSummary(codes: codes, levelCount: bins.bins.count)
        return Variable(
            name: name, n: s.count, missing: s.missing,
            summary: .binned(
                numeric, counts.levels.map { Level(level: bins.bins[$0.code].label, n: $0.count, percent: $0.percent) }))
    }

    /// Decimals for a median (range): 0 for whole numbers, 2 below 10, else 1 (as the paper prints).
    static func digits(for v: Variable.Numeric, override: Int?) -> Int {
        if let override { return override }
        let values = [v.median, v.min, v.max].compactMap { $0 }
        if values.allSatisfy({ $0 == $0.rounded() }) { return 0 }
        return (values.map(abs).max() ?? 0) < 10 ? 2 : 1
    }

    public static func report(_ output: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
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
            if v.missing > 0 { rows.append([.text(""), .text("Missing"), .count(v.missing, percent: nil)]) }
        }
        let n = output.variables.first.map { $0.n + $0.missing } ?? 0
        return [
            .table(
                ReportTable(
                    name: "table1_characteristics", title: p.title ?? "Patient characteristics (n = \(n))",
                    header: ["Variable", "", "n (%) or median (range)"], rows: rows))
        ]
    }
}

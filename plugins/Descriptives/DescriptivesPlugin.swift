public import CohortPluginSDK
public import CohortStatistics

/// `plugin: descriptives` — the patient-characteristics table (Table 1): median (range) and
/// quartiles of numeric variables, n (%) of categories, counts in integer bins.
public enum DescriptivesPlugin: PartitionedAnalysisPlugin {
    public static let name = "descriptives"
    public static let parameterKeys = ["variables", "bins", "digits", "title"]

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

    public struct Variable: Encodable, Sendable {
        public var name: String
        public var type: String
        public var n: Int
        public var missing: Int
        public var median: Double?
        public var min: Double?
        public var max: Double?
        public var q1: Double?
        public var q3: Double?
        public var mean: Double?
        public var sd: Double?
        public var levels: [Level]?

        enum CodingKeys: String, CodingKey { case name, type, n, missing, median, min, max, q1, q3, mean, sd, levels }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(type, forKey: .type)
            try c.encode(n, forKey: .n)
            try c.encode(missing, forKey: .missing)
            if type != "categorical" {
                try c.encodeIfPresent(median, forKey: .median)
                try c.encodeIfPresent(min, forKey: .min)
                try c.encodeIfPresent(max, forKey: .max)
                try c.encodeIfPresent(q1, forKey: .q1)
                try c.encodeIfPresent(q3, forKey: .q3)
                try c.encodeIfPresent(mean, forKey: .mean)
                try c.encodeIfPresent(sd, forKey: .sd)
            }
            if let levels { try c.encode(levels, forKey: .levels) }
        }
    }

    public struct Output: Encodable, Sendable {
        public var variables: [Variable]
    }

    public static func parameters(from mapping: YAMLMapping, in context: PipelineContext) throws -> Parameters {
        let allowed: Set<ColumnKind> = [.number, .integer, .category, .boolean]
        var names = try mapping.required("variables").list().map { try context.variable($0, kinds: allowed) }
        var bins: [String: IntegerBins] = [:]
        if let node = mapping["bins"] {
            for pair in try node.anyMapping().pairs {
                let name = try context.variable(pair.key, kinds: [.number, .integer])
                do {
                    bins[name] = try IntegerBins(pair.value.stringList())
                } catch let error as StatisticsError {
                    throw pair.value.error(.invalidValue, error.message)
                }
                if !names.contains(name) { names.append(name) }
            }
        }
        var digits: [String: Int] = [:]
        if let node = mapping["digits"] {
            for pair in try node.anyMapping().pairs {
                digits[try context.variable(pair.key)] = try pair.value.int()
            }
        }
        return Parameters(variables: names, bins: bins, digits: digits, title: try mapping["title"]?.string(),
                          labels: context.pipeline.labels)
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
            return Variable(name: name, type: "categorical", n: summary.count, missing: summary.missing,
                            levels: summary.levels.map { Level(level: groups.levels[$0.code], n: $0.count, percent: $0.percent) })
        }
        guard let values = column.numbers else {
            throw AnalysisError("type_mismatch", "'\(name)' cannot be summarised")
        }
        let s = ContinuousSummary(values)
        var v = Variable(name: name, type: "continuous", n: s.count, missing: s.missing, median: s.median,
                         min: s.minimum, max: s.maximum, q1: s.firstQuartile, q3: s.thirdQuartile,
                         mean: s.mean, sd: s.standardDeviation)
        if let bins = p.bins[name] {
            let codes: [Int32]
            do { codes = try bins.codes(values) } catch let error as StatisticsError {
                throw AnalysisError(error.code.name, "'\(name)': \(error.message)")
            }
            let counts = try CategoricalSummary(codes: codes, levelCount: bins.bins.count)
            v.type = "binned"
            v.levels = counts.levels.map { Level(level: bins.bins[$0.code].label, n: $0.count, percent: $0.percent) }
        }
        return v
    }

    /// Decimals for a median (range): 0 for whole numbers, 2 below 10, else 1 (as the paper prints).
    static func digits(for v: Variable, override: Int?) -> Int {
        if let override { return override }
        let values = [v.median, v.min, v.max].compactMap { $0 }
        if values.allSatisfy({ $0 == $0.rounded() }) { return 0 }
        return (values.map(abs).max() ?? 0) < 10 ? 2 : 1
    }

    public static func report(_ output: Output, parameters p: Parameters, context: ReportContext) -> [ReportBlock] {
        var rows: [[ReportCell]] = []
        for v in output.variables {
            let label = p.labels[v.name] ?? v.name
            if v.type != "categorical" {
                let d = digits(for: v, override: p.digits[v.name])
                let text = v.median.map { m in
                    "\(Format.fixed(m, digits: d)) (\(Format.fixed(v.min ?? m, digits: d))–\(Format.fixed(v.max ?? m, digits: d)))"
                } ?? "NA"
                rows.append([.text(label), .text("Median (range)"), .text(text)])
            }
            // Levels that never occur are in results.json but not in the printed table.
            for (k, level) in (v.levels ?? []).filter({ $0.n > 0 || v.type == "binned" }).enumerated() {
                rows.append([.text(v.type == "categorical" && k == 0 ? label : ""),
                             .text(Format.display(level.level)), .count(level.n, percent: level.percent)])
            }
            if v.missing > 0 { rows.append([.text(""), .text("Missing"), .count(v.missing, percent: nil)]) }
        }
        let n = output.variables.first.map { $0.n + $0.missing } ?? 0
        return [.table(ReportTable(name: "table1_characteristics", title: p.title ?? "Patient characteristics (n = \(n))",
                                   header: ["Variable", "", "n (%) or median (range)"], rows: rows))]
    }
}

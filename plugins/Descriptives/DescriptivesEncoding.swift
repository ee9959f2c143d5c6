import CohortData
import CohortPluginAPI
public import CohortStatistics

extension DescriptivesPlugin {
    /// The keys of a variable and of each of its groups in results.json.
    enum SummaryKeys: String, CodingKey {
        case name, level, type, n, missing, median, min, max, q1, q3, mean, sd, levels, groups, test
        case testReason = "test_reason"
        case smd
        case smdReason = "smd_reason"
        case smdPairs = "smd_pairs"
    }

    /// Writes n, missing and the statistics of `summary`: `median`…`sd` for continuous and binned
    /// variables, `levels` for categorical and binned ones (a key that does not apply is not
    /// written). A statistic that is not estimable (no values) goes through `encodeIfPresent` as
    /// in v1 (cohortd's encoder writes `null`), or explicitly as `null` when `explicitNulls`
    /// (Table 1 between groups, where an empty group is ordinary and `refs_v2_lib.R` gives nulls).
    static func encodeSummary(
        n: Int, missing: Int, summary: Variable.Summary, explicitNulls: Bool = false,
        into c: inout KeyedEncodingContainer<SummaryKeys>
    ) throws {
        func put(_ x: Double?, _ key: SummaryKeys) throws {
            if explicitNulls && x == nil { try c.encodeNil(forKey: key) } else { try c.encodeIfPresent(x, forKey: key) }
        }
        try c.encode(n, forKey: .n)
        try c.encode(missing, forKey: .missing)
        let numeric: Variable.Numeric?
        switch summary {
        case .continuous(let s), .binned(let s, _): numeric = s
        case .categorical: numeric = nil
        }
        if let s = numeric {
            try put(s.median, .median)
            try put(s.min, .min)
            try put(s.max, .max)
            try put(s.q1, .q1)
            try put(s.q3, .q3)
            try put(s.mean, .mean)
            try put(s.sd, .sd)
        }
        switch summary {
        case .continuous: break
        case .categorical(let levels), .binned(_, let levels):
            if explicitNulls {
                try c.encode(levels.map(LevelWithNull.init), forKey: .levels)
            } else {
                try c.encode(levels, forKey: .levels)
            }
        }
    }

    /// A level whose percent is written as `null` when nothing is non-missing.
    struct LevelWithNull: Encodable {
        var level: Level
        enum CodingKeys: String, CodingKey { case level, n, percent }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(level.level, forKey: .level)
            try c.encode(level.n, forKey: .n)
            if let p = level.percent { try c.encode(p, forKey: .percent) } else { try c.encodeNil(forKey: .percent) }
        }
    }

    /// One group's column of the table: the variable's statistics among the group's rows.
    public struct GroupSummary: Encodable, Sendable {
        public var level: String
        public var n: Int
        public var missing: Int
        public var summary: Variable.Summary

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: SummaryKeys.self)
            try c.encode(level, forKey: .level)
            try encodeSummary(n: n, missing: missing, summary: summary, explicitNulls: true, into: &c)
        }
    }

    /// A test comparing the groups, as results.json gives it: `{name, statistic, df, p}`; Fisher
    /// has `statistic: null` and no `df`, Wilcoxon no `df`, ANOVA `df: [df1, df2]`.
    public struct GroupTest: Encodable, Sendable {
        public enum Name: String, Sendable {
            case fisher, chisq, anova, kruskal, wilcoxon
        }
        public var name: Name
        public var result: HypothesisTest
        /// Whether Yates' continuity correction was applied (χ² on a 2 × 2 table under `ezr`).
        public var yates = false

        enum CodingKeys: String, CodingKey { case name, statistic, df, p }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name.rawValue, forKey: .name)
            // Fisher's test has no statistic: `null`, as every value that does not exist.
            if let statistic = result.statistic { try c.encode(statistic, forKey: .statistic) } else { try c.encodeNil(forKey: .statistic) }
            switch name {
            case .fisher, .wilcoxon: break
            case .anova: try c.encode(result.df, forKey: .df)
            case .chisq, .kruskal: try c.encodeIfPresent(result.df.first, forKey: .df)
            }
            try c.encode(result.p, forKey: .p)
        }

        /// How the report's footnote names the test.
        public var title: String {
            switch name {
            case .fisher: return "Fisher's exact test"
            case .chisq: return yates ? "Pearson's chi-square test with Yates' continuity correction" : "Pearson's chi-square test"
            case .anova: return "One-way ANOVA"
            case .kruskal: return "Kruskal–Wallis rank-sum test"
            case .wilcoxon: return "Wilcoxon rank-sum test"
            }
        }
    }

    /// The SMD of one pair of groups (`a` before `b` in declared order); `nil` with a reason.
    public struct SMDPair: Encodable, Sendable {
        public var a: String
        public var b: String
        public var smd: Double?
        public var reason: String?

        enum CodingKeys: String, CodingKey { case a, b, smd, reason }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(a, forKey: .a)
            try c.encode(b, forKey: .b)
            if let smd { try c.encode(smd, forKey: .smd) } else { try c.encodeNil(forKey: .smd) }
            try c.encodeIfPresent(reason, forKey: .reason)
        }
    }

    /// What `by` adds to a variable: its groups, the test (or why there is none) and the SMD.
    public struct Comparison: Sendable {
        public var groups: [GroupSummary]
        /// `nil` when `tests: none`.
        public var test: TestOutcome?
        /// `nil` when `smd` is not asked for.
        public var smd: SMDOutcome?

        public enum TestOutcome: Sendable {
            case estimated(GroupTest)
            /// The test that applies and why it is not estimable.
            case notEstimable(GroupTest.Name, reason: String)
        }

        public struct SMDOutcome: Sendable {
            /// The SMD (the mean of the pairs with more than two groups), `nil` when a pair is not estimable.
            public var value: Double?
            public var reason: String?
            /// Every pair, listed when there are more than two groups.
            public var pairs: [SMDPair]
        }

        func encode(into c: inout KeyedEncodingContainer<SummaryKeys>) throws {
            try c.encode(groups, forKey: .groups)
            switch test {
            case nil: break
            case .estimated(let t): try c.encode(t, forKey: .test)
            case .notEstimable(_, let reason):
                try c.encodeNil(forKey: .test)
                try c.encode(reason, forKey: .testReason)
            }
            if let smd {
                if let value = smd.value { try c.encode(value, forKey: .smd) } else { try c.encodeNil(forKey: .smd) }
                try c.encodeIfPresent(smd.reason, forKey: .smdReason)
                if smd.pairs.count > 1 { try c.encode(smd.pairs, forKey: .smdPairs) }
            }
        }
    }
}

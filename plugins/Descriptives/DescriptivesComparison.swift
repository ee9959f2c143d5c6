import CohortData
import CohortJSON
import CohortPluginAPI
import CohortReport
import CohortStatistics

/// Table 1 between groups (`by`): per-group statistics, the test per variable and tableone's SMD,
/// as `refs_v2_lib.R`'s `descriptives()` defines them.
extension DescriptivesPlugin {
    /// Reads `by`, `tests`, `nonnormal`, `smd` and `missing`, checking them against the pipeline.
    static func readComparison(_ m: ParameterMapping<Key>, context: AnalysisContext, into p: inout Parameters) throws {
        if let node = m[.by] {
            let by = try context.variable(node, kinds: [.category, .boolean])
            if let levels = context.declaredLevels[by], levels.count < 2 {
                throw node.error(
                    .invalidValue,
                    "'\(by)' declares \(levels.count) level\(levels.count == 1 ? "" : "s"); comparing groups needs at least two")
            }
            p.by = by
        }
        if let node = m[.tests] {
            p.tests = try node.choice(TestRule.self)
            if p.by == nil && p.tests != .none { throw node.error(.invalidValue, "tests compare groups: they need 'by'") }
        }
        if let node = m[.smd] {
            p.smd = try node.boolean()
            if p.by == nil && p.smd { throw node.error(.invalidValue, "smd compares groups: it needs 'by'") }
        }
        if let node = m[.missing] { p.missing = try node.choice(MissingDisplay.self) }
        if let node = m[.fisherTimeLimit] {
            let seconds = try node.number()
            guard seconds > 0, seconds <= 3600 else {
                throw node.error(.invalidValue, "fisher_time_limit is in seconds, more than 0 and at most 3600")
            }
            p.fisherBudget = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        if let node = m[.nonnormal] {
            guard p.tests == .ezr else {
                throw node.error(.invalidValue, "nonnormal chooses Kruskal–Wallis over ANOVA under 'tests: ezr' only")
            }
            for item in try node.items() {
                let name = try context.variable(item, kinds: [.number, .integer])
                guard p.variables.contains(name) else {
                    throw item.error(.invalidValue, "'\(name)' is not among this analysis' variables")
                }
                p.nonnormal.insert(name)
            }
        }
    }

    /// The rows with `by` present, their group codes and the by's levels.
    struct Grouping {
        var rows: [Int]
        var codes: [Int32]
        var levels: [String]
        var missing: Int
        var name: String

        /// `[[value]]` per group from the rows' values (one array per level, appended in row order).
        func split<T>(_ values: [T]) -> [[T]] {
            var parts = [[T]](repeating: [], count: levels.count)
            for (x, g) in zip(values, codes) where g >= 0 && Int(g) < levels.count { parts[Int(g)].append(x) }
            return parts
        }
    }

    static func compare(_ p: Parameters, input: AnalysisInput) throws -> Output {
        guard let by = p.by, let byGroups = try input.column(by).groups else {
            throw AnalysisError(.typeMismatch, "'\(p.by ?? "")' is not categorical")
        }
        var rows: [Int] = []
        rows.reserveCapacity(byGroups.codes.count)
        for (i, c) in byGroups.codes.enumerated() where c >= 0 { rows.append(i) }
        let grouping = Grouping(
            rows: rows, codes: byGroups.codes.codes(at: rows), levels: byGroups.levels,
            missing: byGroups.codes.count - rows.count, name: by)
        var warnings: [MethodWarning] = []
        var variables: [Variable] = []
        for name in p.variables {
            variables.append(try compareVariable(name, p, grouping: grouping, input: input, warnings: &warnings))
        }
        return Output(variables: variables, grouping: .by(missing: grouping.missing, levels: grouping.levels), warnings: warnings)
    }

    static func compareVariable(
        _ name: String, _ p: Parameters, grouping: Grouping, input: AnalysisInput, warnings: inout [MethodWarning]
    ) throws -> Variable {
        let column = try input.column(name)
        let label = p.labels[name] ?? name
        let k = grouping.levels.count
        var test: Comparison.TestOutcome?
        var smd: Comparison.SMDOutcome?
        let variable: Variable
        var groups: [GroupSummary] = []
        if let categories = column.groups {
            let codes = categories.codes.codes(at: grouping.rows)
            let (n, missing, summary) = try describe(codes: codes, levels: categories.levels)
            variable = Variable(name: name, n: n, missing: missing, summary: summary)
            for (level, part) in zip(grouping.levels, grouping.split(codes)) {
                let (gn, gm, gs) = try describe(codes: part, levels: categories.levels)
                groups.append(GroupSummary(level: level, n: gn, missing: gm, summary: gs))
            }
            let table = ContingencyTable(
                rows: codes, columns: grouping.codes, rowCount: categories.levels.count, columnCount: k)
            if p.tests != .none {
                test = categoricalTest(
                    table, rule: p.tests, budget: p.fisherBudget, variable: name, label: label, by: grouping.name, warnings: &warnings)
            }
            if p.smd {
                smd = pairwiseSMD(grouping.levels) { a, b in
                    try StandardizedMeanDifference.categorical(
                        counts: (0..<table.rowCount).map { table[$0, a] }, (0..<table.rowCount).map { table[$0, b] })
                }
            }
        } else if let numbers = column.numbers {
            let values = grouping.rows.map { numbers[$0] }
            let (n, missing, summary) = try describe(name, values: values, bins: p.bins[name])
            variable = Variable(name: name, n: n, missing: missing, summary: summary)
            let parts = grouping.split(values)
            for (level, part) in zip(grouping.levels, parts) {
                let (gn, gm, gs) = try describe(name, values: part, bins: p.bins[name])
                groups.append(GroupSummary(level: level, n: gn, missing: gm, summary: gs))
            }
            let present = parts.map { $0.filter { !$0.isNaN } }
            if p.tests != .none {
                test = continuousTest(
                    GroupedSample(values: values, groups: grouping.codes, groupCount: k), present,
                    rule: p.tests, nonnormal: p.nonnormal.contains(name))
            }
            if p.smd {
                let moments = present.map(StandardizedMeanDifference.Moments.init)
                smd = pairwiseSMD(grouping.levels) { a, b in try StandardizedMeanDifference.continuous(moments[a], moments[b]) }
            }
        } else {
            throw AnalysisError(.typeMismatch, "'\(name)' cannot be summarised")
        }
        if case .notEstimable(let testName, let reason) = test {
            warnings.append(
                MethodWarning(
                    .notEstimable, "\(GroupTest.title(of: testName)) of \(label) by \(grouping.name) is not estimable: \(reason).",
                    details: [("what", .string("test")), ("variable", .string(name))]))
        }
        if let smd, smd.value == nil {
            warnings.append(
                MethodWarning(
                    .notEstimable, "The standardized mean difference of \(label) by \(grouping.name) is not estimable: \(smd.reason ?? "").",
                    details: [("what", .string("smd")), ("variable", .string(name))]))
        }
        var result = variable
        result.comparison = .groups(Comparison(groups: groups, test: test, smd: smd))
        return result
    }

    /// The categorical test of `rule` on the table (rows: the variable's declared levels,
    /// columns: by's declared levels), as `desc_test` in `refs_v2_lib.R`.
    static func categoricalTest(
        _ table: ContingencyTable, rule: TestRule, budget: Duration, variable: String, label: String, by: String,
        warnings: inout [MethodWarning]
    ) -> Comparison.TestOutcome? {
        let sparse = table.hasExpectedBelow(5)
        let useFisher: Bool
        switch rule {
        case .none: return nil
        // EZR (tableone print(exact = )): 2 groups fisher.test, 3+ chisq.test(correct = TRUE).
        case .ezr: useFisher = table.columnCount == 2
        // gtsummary add_p(): chisq.test(correct = FALSE) when every expected count is >= 5, else fisher.test.
        case .gtsummary: useFisher = sparse
        }
        if useFisher {
            switch FisherExact.test(table, budget: budget) {
            case .exact(let p):
                return .estimated(GroupTest(name: .fisher, result: HypothesisTest(statistic: nil, df: [], p: p)))
            case .budgetExceeded(let steps):
                return .notEstimable(
                    .fisher,
                    reason:
                        "the table has too many arrangements to enumerate exactly within the budget (fisher_time_limit \(Format.short(Double(budget.components.seconds) + Double(budget.components.attoseconds) * 1e-18)) s: \(steps) steps)"
                )
            }
        }
        // R applies Yates' correction only to a 2 x 2 table (chisq.test, correct = TRUE).
        let correct = rule == .ezr
        if sparse {
            warnings.append(
                MethodWarning(
                    .sparseExpected, "The chi-square test of \(label) by \(by) has an expected count below 5.",
                    details: [("variable", .string(variable))]))
        }
        do {
            let result = try ContingencyChiSquare.test(table, correct: correct)
            return .estimated(
                GroupTest(name: .chisq, result: result, yates: correct && table.rowCount == 2 && table.columnCount == 2))
        } catch let error as StatisticsError {
            return .notEstimable(.chisq, reason: error.message)
        } catch {
            return .notEstimable(.chisq, reason: String(describing: error))
        }
    }

    /// The continuous test of `rule`: ANOVA or Kruskal–Wallis (ezr), Wilcoxon with two groups or
    /// Kruskal–Wallis (gtsummary). `groups` holds each group's non-missing values.
    static func continuousTest(
        _ sample: GroupedSample, _ groups: [[Double]], rule: TestRule, nonnormal: Bool
    ) -> Comparison.TestOutcome? {
        let name: GroupTest.Name
        switch rule {
        case .none: return nil
        case .ezr: name = nonnormal ? .kruskal : .anova
        case .gtsummary: name = groups.count == 2 ? .wilcoxon : .kruskal
        }
        guard groups.count >= 2 else { return .notEstimable(name, reason: "the grouping has fewer than two levels") }
        do {
            let result: HypothesisTest
            switch name {
            case .anova: result = try OneWayANOVA.test(sample)
            case .kruskal: result = try KruskalWallis.test(sample)
            // wilcox.test(x[first level], x[second level]): W is the first level's.
            case .wilcoxon: result = try WilcoxonRankSum.test(groups[0], groups[1])
            case .fisher, .chisq: return nil
            }
            return .estimated(GroupTest(name: name, result: result))
        } catch let error as StatisticsError {
            return .notEstimable(name, reason: error.message)
        } catch {
            return .notEstimable(name, reason: String(describing: error))
        }
    }

    /// The most groups for which the SMD is computed (every pair is listed in `smd_pairs`).
    static let maximumSMDGroups = 50

    /// The SMD of every pair of levels (1-2, 1-3, …, 2-3, …) and their mean (tableone).
    static func pairwiseSMD(_ levels: [String], _ pair: (Int, Int) throws -> Double) -> Comparison.SMDOutcome {
        guard levels.count <= maximumSMDGroups else {
            return Comparison.SMDOutcome(
                value: nil, reason: "the grouping has more than \(maximumSMDGroups) levels (too many pairs for the SMD)", pairs: [])
        }
        var pairs: [SMDPair] = []
        for a in levels.indices {
            for b in levels.indices where b > a {
                do {
                    let value = try pair(a, b)
                    if value.isFinite {
                        pairs.append(SMDPair(a: levels[a], b: levels[b], smd: value, reason: nil))
                    } else {
                        pairs.append(SMDPair(a: levels[a], b: levels[b], smd: nil, reason: "the SMD is not finite"))
                    }
                } catch let error as StatisticsError {
                    pairs.append(SMDPair(a: levels[a], b: levels[b], smd: nil, reason: error.message))
                } catch {
                    pairs.append(SMDPair(a: levels[a], b: levels[b], smd: nil, reason: String(describing: error)))
                }
            }
        }
        guard !pairs.isEmpty else {
            return Comparison.SMDOutcome(value: nil, reason: "the grouping has fewer than two levels", pairs: [])
        }
        if let failed = pairs.first(where: { $0.smd == nil }) {
            let reason = pairs.count > 1 ? "groups \(failed.a) and \(failed.b): \(failed.reason ?? "")" : (failed.reason ?? "")
            return Comparison.SMDOutcome(value: nil, reason: reason, pairs: pairs)
        }
        let sum = pairs.reduce(0.0) { $0 + ($1.smd ?? 0) }
        return Comparison.SMDOutcome(value: sum / Double(pairs.count), reason: nil, pairs: pairs)
    }
}

extension DescriptivesPlugin.GroupTest {
    /// The name of a test as the report and the warnings print it.
    static func title(of name: Name) -> String {
        DescriptivesPlugin.GroupTest(name: name, result: HypothesisTest(statistic: nil, df: [], p: 1)).title
    }
}

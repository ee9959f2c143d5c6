public import CohortData
public import CohortStatistics
import Foundation
import Synchronization

/// The data an analysis runs on: the cohort after `derive` and `cohort`, and earlier outputs.
public struct AnalysisInput: Sendable {
    public let table: Table
    /// The pipeline's survival outcome, if it has one.
    public let survivalOutcome: SurvivalOutcome?
    /// The pipeline's competing-risks outcome, if it has one.
    public let competingOutcome: CompetingOutcome?
    /// Outputs of earlier analyses that completed, by id.
    public private(set) var earlierOutputs: [String: any Sendable]
    /// Directory of the pipeline file (for `exec` relative paths).
    public let pipelineDirectory: String
    /// The survival outcome, extracted once, by the first analysis that needs it.
    private let survivalCache: SurvivalCache
    /// The time origin and the derived variables' dates, for the `immortal_time` check (`nil`:
    /// the survival time has no known origin, and the check is not made).
    public let immortalTime: ImmortalTimeCheck?

    /// The survival outcome of the cohort.
    public struct SurvivalSubset: Sendable {
        public var data: SurvivalData
        /// `rows[k]` is the table row of subject `k`.
        public var rows: RowSelection
        /// Rows left out because time or event was missing.
        public var excluded: Int
    }

    public init(
        table: Table, survival: SurvivalOutcome?, competing: CompetingOutcome? = nil, earlierOutputs: [String: any Sendable],
        pipelineDirectory: String, immortalTime: ImmortalTimeCheck? = nil
    ) {
        self.table = table
        self.immortalTime = immortalTime
        self.survivalOutcome = survival
        self.competingOutcome = competing
        self.earlierOutputs = earlierOutputs
        self.pipelineDirectory = pipelineDirectory
        self.survivalCache = SurvivalCache { Self.extractSurvival(table: table, spec: survival) }
    }

    /// The same input with the outputs of more analyses available.
    public func with(earlierOutputs outputs: [String: any Sendable]) -> AnalysisInput {
        var copy = self
        copy.earlierOutputs = outputs
        return copy
    }

    /// A column that validation guaranteed exists.
    public func column(_ name: String) throws -> Column {
        guard let column = table[name] else { throw AnalysisError(.unknownVariable, "the data have no variable '\(name)'") }
        return column
    }

    /// The group codes of a categorical (category or boolean) variable for the subjects `rows`
    /// (`-1` = missing), with its levels — every level, also those no subject has.
    public func groups(_ name: String, rows: [Int]) throws -> (codes: [Int32], levels: [String]) {
        try groups(name, rows: RowSelection(rows))
    }

    /// The same for the subjects of a ``RowSelection``: for every row, the column's own codes.
    public func groups(_ name: String, rows: RowSelection) throws -> (codes: [Int32], levels: [String]) {
        guard let groups = try column(name).groups else { throw AnalysisError(.typeMismatch, "'\(name)' is not categorical") }
        return (groups.codes.codes(at: rows), groups.levels)
    }

    /// The values of a numeric variable for the subjects `rows` (NaN = missing).
    public func numbers(_ name: String, rows: [Int]) throws -> [Double] {
        try numbers(name, rows: RowSelection(rows))
    }

    /// The same for the subjects of a ``RowSelection``: for every row, the column's own values.
    public func numbers(_ name: String, rows: RowSelection) throws -> [Double] {
        guard let values = try column(name).numbers else { throw AnalysisError(.typeMismatch, "'\(name)' is not numeric") }
        return rows.gather(values)
    }

    /// The survival outcome: rows with time or event missing are left out (their count is `excluded`).
    /// `rows[k]` is the table row of subject `k`.
    public func survival() throws -> (data: SurvivalData, rows: RowSelection, excluded: Int) {
        let s = try survivalCache.value.get()
        return (s.data, s.rows, s.excluded)
    }

    static func extractSurvival(table: Table, spec: SurvivalOutcome?) -> Result<SurvivalSubset, AnalysisError> {
        Result { try extractSurvivalOrThrow(table: table, spec: spec) }
            .mapError { ($0 as? AnalysisError) ?? AnalysisError(.init("invalid_survival"), String(describing: $0)) }
    }

    static func extractSurvivalOrThrow(table: Table, spec: SurvivalOutcome?) throws -> SurvivalSubset {
        guard let spec else { throw AnalysisError(.noSurvival, "the pipeline has no survival block") }
        guard let timeColumn = table[spec.time], let eventColumn = table[spec.event] else {
            throw AnalysisError(.unknownVariable, "the data have no variable '\(table[spec.time] == nil ? spec.time : spec.event)'")
        }
        guard case .number(let time) = timeColumn.data else {
            throw AnalysisError(.typeMismatch, "survival time '\(spec.time)' must be a number")
        }
        // The event as flags, straight from the column's storage (no whole-column copy as numbers):
        // a boolean's 1/0, or a number's 0/1 codes (any other code is `invalid_event`, below).
        // The rows used are kept as indices only from the first incomplete row on: until then
        // they are 0..<i, and with every row complete (the usual case) no index array is made.
        var rows: [Int]? = nil
        func leaveOut(_ i: Int) {
            if rows == nil {
                var kept = [Int]()
                kept.reserveCapacity(table.rowCount)
                kept.append(contentsOf: 0..<i)
                rows = kept
            }
        }
        var event: [Bool] = []
        event.reserveCapacity(table.rowCount)
        switch eventColumn.data {
        case .boolean(let flags):
            for i in 0..<table.rowCount {
                guard !time[i].isNaN && flags[i] >= 0 else {
                    leaveOut(i)
                    continue
                }
                rows?.append(i)
                event.append(flags[i] == 1)
            }
        case .number(let codes):
            for i in 0..<table.rowCount {
                guard !time[i].isNaN && !codes[i].isNaN else {
                    leaveOut(i)
                    continue
                }
                guard codes[i] == 0 || codes[i] == 1 else {
                    throw AnalysisError(
                        .init(StatisticsError.Code.invalidEvent.name),
                        "survival '\(spec.time)'/'\(spec.event)': event code \(codes[i]) of row \(i + 1) of the cohort is neither 1 (event) nor 0 (censored)"
                    )
                }
                rows?.append(i)
                event.append(codes[i] == 1)
            }
        default:
            throw AnalysisError(.typeMismatch, "survival event '\(spec.event)' must be a boolean or a 0/1 number")
        }
        // Every row complete: the times are the column's own storage, shared.
        let selection = rows.map { RowSelection($0) } ?? RowSelection.all(table.rowCount)
        do {
            let data = try SurvivalData(time: selection.gather(time), event: event)
            return SurvivalSubset(data: data, rows: selection, excluded: table.rowCount - selection.count)
        } catch let error as StatisticsError {
            throw located(error, rows: selection, what: "survival '\(spec.time)'/'\(spec.event)'")
        }
    }

    /// `error` as an ``AnalysisError`` naming the row of the table rather than the position among
    /// the complete rows (`rows[k]` is the table row of observation `k + 1`).
    static func located(_ error: StatisticsError, rows: [Int], what: String) -> AnalysisError {
        located(error, rows: RowSelection(rows), what: what)
    }

    /// The same for the subjects of a ``RowSelection``.
    static func located(_ error: StatisticsError, rows: RowSelection, what: String) -> AnalysisError {
        var message = error.message
        if let range = message.range(of: "observation "), let number = Int(message[range.upperBound...].prefix { $0.isNumber }),
            number >= 1, number <= rows.count
        {
            message = message.replacingCharacters(
                in: range.lowerBound..<message.index(range.upperBound, offsetBy: String(number).count),
                with: "row \(rows[number - 1] + 1) of the cohort")
        }
        return AnalysisError(.init(error.code.name), "\(what): \(message)")
    }

    /// The cut-off supplied by an earlier analysis for `variable`.
    public func cutoff(from id: String, variable: String) throws -> Double {
        guard let provider = earlierOutputs[id] as? any CutoffProviding else {
            throw AnalysisError(.missingDependency, "analysis '\(id)' did not complete, so its cut-off for '\(variable)' is not available")
        }
        guard let value = provider.cutoff(for: variable) else {
            throw AnalysisError(.missingDependency, "analysis '\(id)' found no cut-off for '\(variable)'")
        }
        return value
    }
}

/// Computes a value once, on first use, for whichever thread asks first; others wait for it.
final class SurvivalCache: Sendable {
    private let computed = Mutex<Result<AnalysisInput.SurvivalSubset, AnalysisError>?>(nil)
    private let compute: @Sendable () -> Result<AnalysisInput.SurvivalSubset, AnalysisError>

    init(_ compute: @escaping @Sendable () -> Result<AnalysisInput.SurvivalSubset, AnalysisError>) {
        self.compute = compute
    }

    var value: Result<AnalysisInput.SurvivalSubset, AnalysisError> {
        computed.withLock { slot in
            if let slot { return slot }
            let result = compute()
            slot = result
            return result
        }
    }
}

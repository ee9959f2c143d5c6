public import CohortStatistics
import Foundation

/// The data an analysis runs on: the cohort after `derive` and `cohort`, and earlier outputs.
public struct AnalysisInput: Sendable {
    public let table: Table
    public let pipeline: Pipeline
    /// Outputs of earlier analyses that completed, by id.
    public private(set) var earlierOutputs: [String: any Sendable]
    /// Directory of the pipeline file (for `exec` relative paths).
    public let pipelineDirectory: String
    /// The survival outcome, extracted once, by the first analysis that needs it.
    private let survivalCache: SurvivalCache

    /// The survival outcome of the cohort.
    public struct SurvivalSubset: Sendable {
        public var data: SurvivalData
        /// `rows[k]` is the table row of subject `k`.
        public var rows: [Int]
        /// Rows left out because time or event was missing.
        public var excluded: Int
    }

    public init(table: Table, pipeline: Pipeline, earlierOutputs: [String: any Sendable], pipelineDirectory: String) {
        self.table = table
        self.pipeline = pipeline
        self.earlierOutputs = earlierOutputs
        self.pipelineDirectory = pipelineDirectory
        self.survivalCache = SurvivalCache { Self.extractSurvival(table: table, pipeline: pipeline) }
    }

    /// The same input with the outputs of more analyses available.
    public func with(earlierOutputs outputs: [String: any Sendable]) -> AnalysisInput {
        var copy = self
        copy.earlierOutputs = outputs
        return copy
    }

    /// A column that validation guaranteed exists.
    public func column(_ name: String) throws -> Column {
        guard let column = table[name] else { throw AnalysisError("unknown_variable", "the data have no variable '\(name)'") }
        return column
    }

    /// The survival outcome: rows with time or event missing are left out (their count is `excluded`).
    /// `rows[k]` is the table row of subject `k`.
    public func survival() throws -> (data: SurvivalData, rows: [Int], excluded: Int) {
        let s = try survivalCache.value.get()
        return (s.data, s.rows, s.excluded)
    }

    static func extractSurvival(table: Table, pipeline: Pipeline) -> Result<SurvivalSubset, AnalysisError> {
        Result { try extractSurvivalOrThrow(table: table, pipeline: pipeline) }
            .mapError { ($0 as? AnalysisError) ?? AnalysisError("invalid_survival", String(describing: $0)) }
    }

    static func extractSurvivalOrThrow(table: Table, pipeline: Pipeline) throws -> SurvivalSubset {
        guard let spec = pipeline.survival else { throw AnalysisError("no_survival", "the pipeline has no survival block") }
        guard let timeColumn = table[spec.time], let eventColumn = table[spec.event] else {
            throw AnalysisError("unknown_variable", "the data have no variable '\(table[spec.time] == nil ? spec.time : spec.event)'")
        }
        guard let time = timeColumn.numbers, timeColumn.kind != .date else {
            throw AnalysisError("type_mismatch", "survival time '\(spec.time)' must be a number")
        }
        guard let event = eventColumn.numbers, eventColumn.kind != .date else {
            throw AnalysisError("type_mismatch", "survival event '\(spec.event)' must be a boolean or a 0/1 number")
        }
        var rows: [Int] = []
        rows.reserveCapacity(table.rowCount)
        for i in 0..<table.rowCount where !time[i].isNaN && !event[i].isNaN { rows.append(i) }
        do {
            let data = try SurvivalData(time: rows.map { time[$0] }, event: rows.map { event[$0] })
            return SurvivalSubset(data: data, rows: rows, excluded: table.rowCount - rows.count)
        } catch let error as StatisticsError {
            // Name the row of the table rather than the position among complete rows.
            var message = error.message
            if let range = message.range(of: "observation "), let number = Int(message[range.upperBound...].prefix { $0.isNumber }),
               number >= 1, number <= rows.count {
                message = message.replacingCharacters(in: range.lowerBound..<message.index(range.upperBound, offsetBy: String(number).count),
                                                      with: "row \(rows[number - 1] + 1) of the cohort")
            }
            throw AnalysisError(error.code.name, "survival '\(spec.time)'/'\(spec.event)': \(message)")
        }
    }

    /// The cut-off supplied by an earlier analysis for `variable`.
    public func cutoff(from id: String, variable: String) throws -> Double {
        guard let provider = earlierOutputs[id] as? any CutoffProviding else {
            throw AnalysisError("missing_dependency", "analysis '\(id)' did not complete, so its cut-off for '\(variable)' is not available")
        }
        guard let value = provider.cutoff(for: variable) else {
            throw AnalysisError("missing_dependency", "analysis '\(id)' found no cut-off for '\(variable)'")
        }
        return value
    }
}

/// Settings that shape the report.
public struct ReportContext: Sendable {
    /// Counts below this (when > 0) print as "<N".
    public var minCell: Int
    /// Unit of survival times ("months").
    public var timeUnit: String

    public init(minCell: Int, timeUnit: String) {
        self.minCell = minCell
        self.timeUnit = timeUnit
    }
}

/// Computes a value once, on first use, for whichever thread asks first; others wait for it.
final class SurvivalCache: @unchecked Sendable {
    private let lock = NSLock()
    private var computed: Result<AnalysisInput.SurvivalSubset, AnalysisError>?
    private let compute: @Sendable () -> Result<AnalysisInput.SurvivalSubset, AnalysisError>

    init(_ compute: @escaping @Sendable () -> Result<AnalysisInput.SurvivalSubset, AnalysisError>) {
        self.compute = compute
    }

    var value: Result<AnalysisInput.SurvivalSubset, AnalysisError> {
        lock.lock()
        defer { lock.unlock() }
        if let computed { return computed }
        let result = compute()
        computed = result
        return result
    }
}

public import CohortStatistics

/// The data an analysis runs on: the cohort after `derive` and `cohort`, and earlier outputs.
public struct AnalysisInput: Sendable {
    public let table: Table
    public let pipeline: Pipeline
    /// Outputs of earlier analyses that completed, by id.
    public let earlierOutputs: [String: any Sendable]
    /// Directory of the pipeline file (for `exec` relative paths).
    public let pipelineDirectory: String

    public init(table: Table, pipeline: Pipeline, earlierOutputs: [String: any Sendable], pipelineDirectory: String) {
        self.table = table
        self.pipeline = pipeline
        self.earlierOutputs = earlierOutputs
        self.pipelineDirectory = pipelineDirectory
    }

    /// A column that validation guaranteed exists.
    public func column(_ name: String) throws -> Column {
        guard let column = table[name] else { throw AnalysisError("unknown_variable", "the data have no variable '\(name)'") }
        return column
    }

    /// The survival outcome: rows with time or event missing are left out (their count is `excluded`).
    /// `rows[k]` is the table row of subject `k`.
    public func survival() throws -> (data: SurvivalData, rows: [Int], excluded: Int) {
        guard let spec = pipeline.survival else { throw AnalysisError("no_survival", "the pipeline has no survival block") }
        guard let time = try column(spec.time).numbers, !(try column(spec.time).kind == .date) else {
            throw AnalysisError("type_mismatch", "survival time '\(spec.time)' must be a number")
        }
        let eventColumn = try column(spec.event)
        guard let event = eventColumn.numbers, eventColumn.kind != .date else {
            throw AnalysisError("type_mismatch", "survival event '\(spec.event)' must be a boolean or a 0/1 number")
        }
        var rows: [Int] = []
        rows.reserveCapacity(table.rowCount)
        for i in 0..<table.rowCount where !time[i].isNaN && !event[i].isNaN { rows.append(i) }
        do {
            let data = try SurvivalData(time: rows.map { time[$0] }, event: rows.map { event[$0] })
            return (data, rows, table.rowCount - rows.count)
        } catch let error as StatisticsError {
            // Name the row of the export rather than the position among complete rows.
            throw AnalysisError(error.code.name, error.message)
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

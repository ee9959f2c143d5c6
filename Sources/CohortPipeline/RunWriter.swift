public import CohortConfiguration
import CohortData
import CohortJSON
import CohortReport
import Foundation

/// Writes a run's folder: results.json, and as `report: outputs:` chooses (all by default)
/// report.html, report.md, tables as CSV, figures as SVG, PDF and PNG.
public enum RunWriter {
    /// The files of a run folder, by name, in writing order.
    public static func files(for outcome: RunOutcome, pipeline: Pipeline, info: RunInfo) -> [(name: String, bytes: [UInt8])] {
        filesAndResults(for: outcome, pipeline: pipeline, info: info).files
    }

    /// The run folder's files, and each analysis's `result` as compact JSON (`nil` for an analysis
    /// that failed), in the order of results.json's `analyses` — cut from results.json as it is
    /// written, rather than serialised a second time, for the store.
    public static func filesAndResults(for outcome: RunOutcome, pipeline: Pipeline, info: RunInfo)
        -> (files: [(name: String, bytes: [UInt8])], results: [String?])
    {
        let (json, marked) = outcome.document.serializedBytes(marking: [.key("analyses"), .everyElement, .key("result")])
        var ranges = marked.makeIterator()
        let results: [String?] = outcome.result.analyses.map { analysis in
            let range = analysis.status == .ok ? ranges.next() : nil
            return range.map { String(decoding: JSONValue.minified(json[$0]), as: UTF8.self) }
        }
        var files: [(String, [UInt8])] = [("results.json", json + [0x0A])]
        guard outcome.failure == nil else { return (files, results) }
        let title = pipeline.report.title ?? pipeline.title ?? pipeline.name
        let n = outcome.flow.last.map { $0.kept ?? $0.n ?? 0 } ?? 0
        let subtitle = "Pipeline \(pipeline.name) · run \(info.id) · \(n) patients analysed · cohortd \(PipelineRunner.version)"
        let flow: [(id: String, blocks: [ReportBlock])] = outcome.flow.count > 1 ? [("flow", [.table(flowTable(outcome.flow))])] : []
        let renderer = ReportRenderer(title: title, subtitle: subtitle, sections: flow + outcome.report, minCell: pipeline.report.minCell)
        let outputs = pipeline.report.outputs
        if outputs.contains(.html) { files.append(("report.html", Array(renderer.html().utf8))) }
        if outputs.contains(.md) { files.append(("report.md", Array(renderer.markdown().utf8))) }
        if outputs.contains(.csv) {
            for (name, text) in renderer.csvFiles() { files.append((name, Array(text.utf8))) }
        }
        if !outputs.isDisjoint(with: [.svg, .pdf, .png]) {
            let figures = FigureFiles.files(of: renderer.svgFiles(), outputs: outputs)
            files += figures.files
            if !figures.errors.isEmpty { files.append((FigureFiles.errorsFile, Array(figures.errors.map { $0 + "\n" }.joined().utf8))) }
        }
        return (files, results)
    }

    /// The flow diagram as a table (written as `flow.csv`).
    static func flowTable(_ flow: [FlowStep]) -> ReportTable {
        var rows: [[ReportCell]] = []
        for step in flow {
            if let n = step.n {
                rows.append([.text("Patients in the export"), .count(n, percent: nil), .text("")])
            } else {
                rows.append([.text(step.step), .count(step.kept ?? 0, percent: nil), .count(step.excluded ?? 0, percent: nil)])
            }
        }
        return ReportTable(name: "flow", title: "Patient selection", header: ["Step", "Remaining", "Excluded"], rows: rows)
    }

    /// Writes the files into `directory` (created if needed), each with mode 0640.
    public static func write(_ files: [(name: String, bytes: [UInt8])], to directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o750])
        for (name, bytes) in files {
            let path = directory + "/" + name
            guard manager.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o640]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
    }
}

public import CohortConfiguration
import CohortData
import CohortDocx
import CohortJSON
import CohortReport
import CohortStatistics
import Foundation

/// Writes a run's folder: results.json, and as `report: outputs:` chooses (all by default)
/// report.html, report.md, methods.md, tables as CSV, figures as SVG, PDF and PNG, report.docx.
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
        guard outcome.failure == nil else {
            let (json, results) = resultsDocument(outcome)
            return ([("results.json", json + [0x0A])], results)
        }
        let title = pipeline.report.title ?? pipeline.title ?? pipeline.name
        let n = outcome.flow.last.map { $0.kept ?? $0.n ?? 0 } ?? 0
        let subtitle = "Pipeline \(pipeline.name) · run \(info.id) · \(n) patients analysed · cohortd \(PipelineRunner.version)"
        let flow: [(id: String, blocks: [ReportBlock])] = outcome.flow.count > 1 ? [("flow", [.table(flowTable(outcome.flow))])] : []
        let methods = methodsSection(outcome, pipeline: pipeline)
        let renderer = ReportRenderer(
            title: title, subtitle: subtitle, sections: flow + outcome.report + [("methods", methods.blocks)], minCell: pipeline.report.minCell)
        let outputs = pipeline.report.outputs
        let svgs = outputs.isDisjoint(with: [.svg, .pdf, .png]) ? [] : renderer.svgFiles()
        // The figures (drawn one after another on the render thread: most of this function's time)
        // on one thread, results.json and the text reports on another.
        let (figures, (json, results, text)) = concurrently(
            { outcome.figures?.files(of: svgs) ?? FigureFiles.files(of: svgs, outputs: outputs) },
            { () -> ([UInt8], [String?], [(name: String, bytes: [UInt8])]) in
                let (json, results) = resultsDocument(outcome)
                return (json, results, textFiles(renderer, title: title, methods: methods, outputs: outputs))
            })
        var files: [(name: String, bytes: [UInt8])] = [("results.json", json + [0x0A])]
        files += text
        files += figures.files
        if !figures.errors.isEmpty { files.append((FigureFiles.errorsFile, Array(figures.errors.map { $0 + "\n" }.joined().utf8))) }
        if outputs.contains(.docx) {
            // The Word report embeds the figures whose PNG the folder holds; zipping in memory fails only
            // when memory does, and then the folder goes without report.docx rather than without its results.
            let pngs = Dictionary(files.filter { $0.0.hasSuffix(".png") }.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
            if let docx = try? DocxReport(renderer: renderer, figures: pngs, created: info.started).bytes() { files.append(("report.docx", docx)) }
        }
        return (files, results)
    }

    /// results.json's bytes, and each analysis's `result` cut from them as compact JSON.
    static func resultsDocument(_ outcome: RunOutcome) -> (json: [UInt8], results: [String?]) {
        let (json, marked) = outcome.document.serializedBytes(marking: [.key("analyses"), .everyElement, .key("result")])
        var ranges = marked.makeIterator()
        let results: [String?] = outcome.result.analyses.map { analysis in
            let range = analysis.status == .ok ? ranges.next() : nil
            return range.map { String(decoding: JSONValue.minified(json[$0]), as: UTF8.self) }
        }
        return (json, results)
    }

    /// report.html, report.md, methods.md and the tables' CSV files, as `outputs` asks.
    static func textFiles(_ renderer: ReportRenderer, title: String, methods: MethodsSection, outputs: Set<ReportOutput>)
        -> [(name: String, bytes: [UInt8])]
    {
        var files: [(name: String, bytes: [UInt8])] = []
        if outputs.contains(.html) { files.append(("report.html", Array(renderer.html().utf8))) }
        if outputs.contains(.md) {
            files.append(("report.md", Array(renderer.markdown().utf8)))
            files.append(("methods.md", Array(("# " + MarkdownText.escape(title) + "\n\n" + methods.markdown).utf8)))
        }
        if outputs.contains(.csv) {
            for (name, text) in renderer.csvFiles() { files.append((name, Array(text.utf8))) }
        }
        return files
    }

    /// The versions of R and its packages whose results the tests compare cohortd's with.
    static let referenceSoftware = "R 4.2.2 with the packages survival 3.5-3, pROC 1.18.0 and cmprsk 2.2-11"

    /// The run's "Statistical analysis" section: what each analysis that completed says it did,
    /// then the software, the R it agrees with, and the method checks.
    static func methodsSection(_ outcome: RunOutcome, pipeline: Pipeline) -> MethodsSection {
        let plugins = Set(outcome.result.analyses.filter { $0.status == .ok }.map(\.plugin))
        var references: [Reference] = [.rCore, .therneauSurvival]
        if plugins.contains("roc_cutoff") { references.append(.robinPROC) }
        if plugins.contains("cumulative_incidence") { references.append(.grayCmprsk) }
        var text =
            "Analyses were run with cohortd \(PipelineRunner.version), whose estimates, tests and confidence limits "
            + "equal those of \(referenceSoftware) to a relative difference of 10⁻⁹"
        if pipeline.profile == .ezr { text += "; defaults and printed conventions follow EZR" }
        text += "."
        if pipeline.profile == .ezr { references.append(.kanda) }
        var software = [MethodsStatement(text, references: references)]
        let raised = outcome.result.analyses.reduce(0) { total, analysis in
            if case .array(let warnings)? = analysis.result?["warnings"] { return total + warnings.count }
            return total
        }
        software.append(
            MethodsStatement(
                "Method checks were made by default (proportional hazards in every Cox model, events per coefficient, "
                    + "sparse expected counts, times past follow-up, competing events and immortal time); "
                    + (raised == 0 ? "none was raised." : "\(raised) \(raised == 1 ? "was" : "were") raised and are listed under Checks.")))
        return MethodsSection(statements: outcome.methods + software.dropLast(), software: software[software.count - 1])
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
}

public import CohortConfiguration
import CohortReport

/// The file names a pipeline's runs write, checked for collisions when the pipeline is validated:
/// a collision would make one output overwrite another (an analysis `flow` replaced the
/// patient-selection table), so it is a configuration error rather than a surprise in a run folder.
extension LoadedPipeline {
    /// Names no analysis id may take, whatever its case: the run folder's own files and sections
    /// (`flow.csv`, `report.html`, `report.md`, `results.json`, and `methods`, kept for the methods
    /// section).
    public static let reservedNames: Set<String> = ["flow", "report", "results", "methods"]

    /// The files ``RunWriter`` writes besides the analyses' tables and figures.
    static let runFolderFiles = ["results.json", "report.html", "report.md", "methods.md", "report.docx", FigureFiles.errorsFile]

    /// The file names analysis `id` may write in a run folder: those ``ReportRenderer`` gives a
    /// section with one table and one figure (every built-in plugin writes at most one of each:
    /// `<id>.csv`, and the figure as `<id>.svg`, `<id>.pdf`, `<id>.png`).
    public static func fileNames(ofAnalysis id: String) -> [String] {
        let table = ReportTable(name: "table", title: "", header: [], rows: [])
        let figure = ReportFigure(name: "figure", title: "", svg: "")
        return fileNames(ofSection: id, blocks: [.table(table), .figure(figure)])
    }

    /// Every file name a run of `pipeline` may write, with what writes it, in writing order.
    public static func fileNames(of pipeline: Pipeline) -> [(name: String, writer: String)] {
        var names = runFolderFileNames()
        for spec in pipeline.analyses { names += fileNames(ofAnalysis: spec.id).map { ($0, "analysis '\(spec.id)'") } }
        return names
    }

    /// The run folder's own files: results.json, the reports and the patient-selection table.
    private static func runFolderFileNames() -> [(name: String, writer: String)] {
        let flowTable = ReportTable(name: "flow", title: "", header: [], rows: [])
        return runFolderFiles.map { ($0, "the run folder") }
            + fileNames(ofSection: "flow", blocks: [.table(flowTable)]).map { ($0, "the patient-selection table") }
    }

    private static func fileNames(ofSection id: String, blocks: [ReportBlock]) -> [String] {
        let renderer = ReportRenderer(title: "", subtitle: "", sections: [(id, blocks)], minCell: 0)
        return renderer.csvFiles().map(\.name) + renderer.svgFiles().flatMap { [$0.name] + FigureFiles.renderedNames(ofSVG: $0.name) }
    }

    /// Refuses an analysis id that is a reserved name, and two outputs with one file name. Names
    /// are compared ignoring case: run folders are read on (and copied to) file systems that do.
    ///
    /// - Throws: ``ConfigurationError`` `file_name_collision` at the later analysis's `id`, naming
    ///   the file and both writers.
    static func checkFileNames(of pipeline: Pipeline) throws {
        var writers: [String: (name: String, writer: String)] = [:]
        for (name, writer) in runFolderFileNames() { writers[name.lowercased()] = (name, writer) }
        for spec in pipeline.analyses {
            let idNode = idNode(of: spec)
            if reservedNames.contains(spec.id.lowercased()) {
                throw idNode.error(
                    .fileNameCollision,
                    "analysis id '\(spec.id)' is reserved: \(reservedNames.sorted().joined(separator: ", ")) name a run folder's own files")
            }
            let writer = "analysis '\(spec.id)' (line \(idNode.line))"
            for name in fileNames(ofAnalysis: spec.id) {
                if let other = writers.updateValue((name, writer), forKey: name.lowercased()), other.writer != writer {
                    throw idNode.error(
                        .fileNameCollision,
                        "analysis id '\(spec.id)' would write \(name), which \(other.writer) also writes as \(other.name) "
                            + "(file names are compared ignoring case)")
                }
            }
        }
    }

    /// The node of an analysis's `id` (where its errors are located).
    private static func idNode(of spec: Pipeline.AnalysisSpec) -> YAMLNode {
        (try? spec.node.anyMapping())?["id"] ?? spec.node
    }
}

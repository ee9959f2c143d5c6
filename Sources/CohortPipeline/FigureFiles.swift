import CohortConfiguration
import CohortRender

/// A run folder's figure files: `<figure>.svg` as drawn, and `<figure>.pdf` and `<figure>.png`
/// rendered from it through ``FigureRenderer`` (librsvg and cairo), as `report: outputs:` asks.
enum FigureFiles {
    /// The file that lists figures that could not be rendered (written only when one could not).
    static let errorsFile = "figure-errors.txt"

    /// The PDF and PNG names of the figure written as `svgName` (`km.svg` → `km.pdf`, `km.png`).
    static func renderedNames(ofSVG svgName: String) -> [String] {
        let base = svgName.hasSuffix(".svg") ? String(svgName.dropLast(4)) : svgName
        return [base + ".pdf", base + ".png"]
    }

    /// The files of every figure, in order (SVG, PDF, PNG of one figure, then the next), and one
    /// line per figure file that could not be rendered (`km.png: code: message`), which the run
    /// folder keeps in ``errorsFile`` rather than failing the run: the numbers stand without it.
    static func files(of figures: [(name: String, text: String)], outputs: Set<ReportOutput>)
        -> (files: [(name: String, bytes: [UInt8])], errors: [String])
    {
        let renderer = FigureRenderer(creator: "cohortd \(PipelineRunner.version)")
        // One image and encoder memory for all the figures' PNGs, freed when the folder is made.
        var scratch = RasterScratch()
        var files: [(name: String, bytes: [UInt8])] = []
        var errors: [String] = []
        for figure in figures {
            if outputs.contains(.svg) { files.append((figure.name, Array(figure.text.utf8))) }
            let names = renderedNames(ofSVG: figure.name)
            for (output, name) in [(ReportOutput.pdf, names[0]), (.png, names[1])] where outputs.contains(output) {
                do throws(RenderError) {
                    let bytes =
                        output == .pdf
                        ? try renderer.pdf(svg: figure.text) : try renderer.png(svg: figure.text, dpi: 300, scratch: &scratch)
                    files.append((name, bytes))
                } catch {
                    errors.append("\(name): \(error)")
                }
            }
        }
        return (files, errors)
    }
}

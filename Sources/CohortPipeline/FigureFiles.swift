import CohortConfiguration
import CohortRender

/// A run folder's figure files: `<figure>.svg` as drawn, and `<figure>.pdf` and `<figure>.png`
/// rendered from it through ``FigureRenderer`` (librsvg and cairo), as `report: outputs:` asks.
enum FigureFiles {
    /// The file that lists figures that could not be rendered (written only when one could not).
    static let errorsFile = "figure-errors.txt"

    /// One figure's renderings: each `nil` when `report: outputs:` does not ask for it.
    struct Drawn: Sendable {
        var pdf: Result<[UInt8], RenderError>?
        var png: Result<[UInt8], RenderError>?
    }

    /// The PDF and PNG names of the figure written as `svgName` (`km.svg` → `km.pdf`, `km.png`).
    static func renderedNames(ofSVG svgName: String) -> [String] {
        let base = svgName.hasSuffix(".svg") ? String(svgName.dropLast(4)) : svgName
        return [base + ".pdf", base + ".png"]
    }

    /// The renderer of every run's figures (the PDFs' Creator names this version).
    static var renderer: FigureRenderer { FigureRenderer(creator: "cohortd \(PipelineRunner.version)") }

    /// Whether `outputs` asks for any rendering of the figures (PDF or PNG).
    static func rendersAny(_ outputs: Set<ReportOutput>) -> Bool { !outputs.isDisjoint(with: [.pdf, .png]) }

    /// The SVG rendered as `outputs` asks: a PDF, and a 300-dpi PNG drawn in `scratch`.
    static func draw(_ svg: String, outputs: Set<ReportOutput>, renderer: FigureRenderer, scratch: inout RasterScratch) -> Drawn {
        var drawn = Drawn()
        if outputs.contains(.pdf) { drawn.pdf = Result { () throws(RenderError) in try renderer.pdf(svg: svg) } }
        if outputs.contains(.png) {
            drawn.png = Result { () throws(RenderError) in try renderer.png(svg: svg, dpi: 300, scratch: &scratch) }
        }
        return drawn
    }

    /// The files of every figure, in order (SVG, PDF, PNG of one figure, then the next), and one
    /// line per figure file that could not be rendered (`km.png: code: message`), which the run
    /// folder keeps in ``errorsFile`` rather than failing the run: the numbers stand without it.
    static func files(of figures: [(name: String, text: String)], outputs: Set<ReportOutput>)
        -> (files: [(name: String, bytes: [UInt8])], errors: [String])
    {
        let renderer = Self.renderer
        // One image and encoder memory for all the figures' PNGs, freed when the folder is made.
        var scratch = RasterScratch()
        return files(of: figures, outputs: outputs) { draw($0, outputs: outputs, renderer: renderer, scratch: &scratch) }
    }

    /// The same files, with each figure's renderings from `drawing` (given the SVG text).
    static func files(
        of figures: [(name: String, text: String)], outputs: Set<ReportOutput>, drawing: (String) -> Drawn
    ) -> (files: [(name: String, bytes: [UInt8])], errors: [String]) {
        var files: [(name: String, bytes: [UInt8])] = []
        var errors: [String] = []
        for figure in figures {
            if outputs.contains(.svg) { files.append((figure.name, Array(figure.text.utf8))) }
            let names = renderedNames(ofSVG: figure.name)
            let drawn = drawing(figure.text)
            for (rendering, name) in [(drawn.pdf, names[0]), (drawn.png, names[1])] {
                switch rendering {
                case .success(let bytes)?: files.append((name, bytes))
                case .failure(let error)?: errors.append("\(name): \(error)")
                case nil: break
                }
            }
        }
        return (files, errors)
    }
}

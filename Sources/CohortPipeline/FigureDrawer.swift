package import CohortConfiguration
import CohortRender
package import CohortReport
import Dispatch
import Synchronization

/// Draws a run's figures (PDF and PNG from their SVG, as `report: outputs:` asks) on a thread of
/// its own, one after another, from the moment each analysis hands in its report: the figures of
/// the analyses that finish first are drawn while the others still compute, rather than all of
/// them after the last one. (At a million rows the figures take 60–80 ms, serial under cairo's
/// lock: as long as the analyses' last stretch, which they now overlap.)
///
/// Rules (checked by `FigureDrawerTests`):
/// - ``files(of:)`` gives the files and errors that ``FigureFiles/files(of:outputs:)`` gives for
///   the same figures (but for the PDF's CreationDate, which is the time of drawing).
/// - A figure not submitted is drawn by ``files(of:)``; a figure submitted twice (the same SVG
///   text) is drawn once.
/// - ``files(of:)`` waits for every figure submitted before it, then lets the drawings and the
///   drawing memory go: call it once, when the run folder is made.
package final class FigureDrawer: Sendable {
    /// The renderings to make (those of `report: outputs:`).
    package let outputs: Set<ReportOutput>
    private let queue = DispatchQueue(label: "cohortd.figures", qos: .userInitiated)
    private let state = Mutex(State())

    /// What the drawing thread has made, and the PNG memory it reuses from figure to figure.
    private struct State: ~Copyable {
        var drawn: [String: FigureFiles.Drawn] = [:]
        var scratch = RasterScratch()
        /// Figures drawn so far (for the tests: each SVG once).
        var drawings = 0
    }

    package init(outputs: Set<ReportOutput>) {
        self.outputs = outputs
    }

    /// Whether the outputs ask for any rendering (otherwise nothing is ever drawn).
    package var draws: Bool { FigureFiles.rendersAny(outputs) }

    /// Queues the figures for drawing, in order, and returns at once.
    package func submit(_ figures: [ReportFigure]) {
        guard draws, !figures.isEmpty else { return }
        let svgs = figures.map(\.svg)
        queue.async { [self] in
            for svg in svgs { draw(svg) }
        }
    }

    /// Figures drawn so far.
    package var drawings: Int { state.withLock { $0.drawings } }

    /// The run folder's figure files (see ``FigureFiles/files(of:outputs:)``): those submitted,
    /// once drawn, and the others drawn now.
    package func files(of figures: [(name: String, text: String)]) -> (files: [(name: String, bytes: [UInt8])], errors: [String]) {
        queue.sync {
            for figure in figures { draw(figure.text) }
            return state.withLock { state in
                let drawn = state.drawn
                state.drawn = [:]
                state.scratch = RasterScratch()  // the pixel memory is unmapped
                return FigureFiles.files(of: figures, outputs: outputs) { drawn[$0] ?? FigureFiles.Drawn() }
            }
        }
    }

    /// Draws one figure unless it was drawn already (on the queue).
    private func draw(_ svg: String) {
        guard draws else { return }
        let renderer = FigureFiles.renderer
        state.withLock { state in
            guard state.drawn[svg] == nil else { return }
            state.drawn[svg] = FigureFiles.draw(svg, outputs: outputs, renderer: renderer, scratch: &state.scratch)
            state.drawings += 1
        }
    }
}

package import CohortConfiguration
import CohortRender
package import CohortReport
import Dispatch
import Synchronization

/// Draws a run's figures (PDF and PNG from their SVG, as `report: outputs:` asks) on a thread of
/// its own, one after another, from the moment each analysis hands in its report: the figures of
/// the analyses that finish first are drawn while the others still compute, rather than all of
/// them after the last one. (At a million rows the figures take 60–80 ms, one at a time on the
/// render thread: as long as the analyses' last stretch, which they now overlap.)
///
/// Rules (checked by `FigureDrawerTests`):
/// - ``files(of:)`` gives the files and errors that ``FigureFiles/files(of:outputs:)`` gives for
///   the same figures (but for the PDF's CreationDate, which is the time of drawing).
/// - A figure not submitted is drawn by ``files(of:)``; a figure submitted twice (the same SVG
///   text) is drawn once.
/// - ``files(of:)`` waits for every figure submitted before it, then lets the drawings go: asked
///   again (a retried publish), it draws them anew.
/// - ``releaseMemory()`` frees the drawing memory once the figures submitted so far are drawn.
package final class FigureDrawer: Sendable {
    /// The renderings to make (those of `report: outputs:`).
    package let outputs: Set<ReportOutput>
    private let queue = DispatchQueue(label: "cohortd.figures", qos: .userInitiated)
    /// The drawings by SVG text, and how many were made (for the tests: each SVG once).
    private let drawn = Mutex<(figures: [String: FigureFiles.Drawn], count: Int)>(([:], 0))
    /// The PNG memory reused from figure to figure: used on the queue only, so its lock is never
    /// waited for (and may be held while drawing).
    private let scratch = Mutex(RasterScratch())

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

    /// Returns once every figure submitted so far is drawn.
    package func waitForSubmitted() {
        queue.sync {}
    }

    /// Frees the pixel and encoder memory once the figures submitted so far are drawn (a figure
    /// drawn later allocates it again), so that a run's outcome kept until its folder is published
    /// holds only the drawings.
    package func releaseMemory() {
        queue.async { [self] in
            scratch.withLock { $0 = RasterScratch() }
        }
    }

    /// Figures drawn so far.
    package var drawings: Int { drawn.withLock { $0.count } }

    /// The run folder's figure files (see ``FigureFiles/files(of:outputs:)``): those submitted,
    /// once drawn, and the others drawn now.
    package func files(of figures: [(name: String, text: String)]) -> (files: [(name: String, bytes: [UInt8])], errors: [String]) {
        queue.sync {
            for figure in figures { draw(figure.text) }
            scratch.withLock { $0 = RasterScratch() }  // the band and encoder memory is freed
            let made = drawn.withLock { state in
                defer { state.figures = [:] }
                return state.figures
            }
            return FigureFiles.files(of: figures, outputs: outputs) { made[$0] ?? FigureFiles.Drawn() }
        }
    }

    /// Draws one figure unless it was drawn already (on the queue).
    private func draw(_ svg: String) {
        guard draws, drawn.withLock({ $0.figures[svg] == nil }) else { return }
        let renderer = FigureFiles.renderer
        let drawing = scratch.withLock { FigureFiles.draw(svg, outputs: outputs, renderer: renderer, scratch: &$0) }
        drawn.withLock { state in
            state.figures[svg] = drawing
            state.count += 1
        }
    }
}

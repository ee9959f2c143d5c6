import CohortConfiguration
import CohortReport
import Foundation
import Testing

@testable import CohortPipeline

/// ``FigureDrawer``'s rules: the same files as drawing after the run, figures not submitted drawn
/// at the end, each SVG drawn once; and the runner's `drawsFigures` giving the same run folder.
@Suite struct FigureDrawerTests {
    /// The example's run (24 patients, several figures), with or without figures drawn as its
    /// analyses finish.
    static func exampleRun(drawsFigures: Bool, tasks: Int = .max) async throws -> (outcome: RunOutcome, pipeline: Pipeline, info: RunInfo) {
        let yaml = try String(contentsOfFile: Repository.paperPipeline, encoding: .utf8)
        let directory = URL(fileURLWithPath: Repository.paperPipeline).deletingLastPathComponent().path
        let loaded = try LoadedPipeline(text: yaml, file: "rps-metastasectomy.yaml", directory: directory, registry: testRegistry)
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.paperExport))
        let info = RunInfo(id: "drawer", fileName: "pm_database_export.csv", started: Date(timeIntervalSince1970: 1_700_000_000))
        var runner = PipelineRunner(loaded)
        runner.drawsFigures = drawsFigures
        runner.maxConcurrentTasks = tasks
        let outcome = await runner.run(data, info: info)
        #expect(outcome.failure == nil)
        return (outcome, loaded.pipeline, info)
    }

    /// A PDF without its CreationDate (the time of drawing), to compare two drawings.
    static func withoutDate(_ pdf: [UInt8]) -> String {
        String(decoding: pdf, as: UTF8.self).replacing(/\/CreationDate \([^)]*\)/, with: "")
    }

    /// Two file lists equal: the same names in the same order, the same bytes (PDFs but for their
    /// date; results.json and the reports but for the run's times and seconds, which differ).
    static func expectSameFigures(_ a: [(name: String, bytes: [UInt8])], _ b: [(name: String, bytes: [UInt8])]) {
        #expect(a.map(\.name) == b.map(\.name))
        for (x, y) in zip(a, b) where x.name == y.name {
            if x.name.hasSuffix(".pdf") {
                #expect(withoutDate(x.bytes) == withoutDate(y.bytes), "\(x.name)")
            } else if x.name.hasSuffix(".png") || x.name.hasSuffix(".svg") || x.name.hasSuffix(".csv") || x.name == FigureFiles.errorsFile {
                #expect(x.bytes == y.bytes, "\(x.name)")
            }
        }
    }

    static func figures(of outcome: RunOutcome) -> [ReportFigure] {
        outcome.report.flatMap(\.blocks).compactMap { if case .figure(let figure) = $0 { figure } else { nil } }
    }

    @Test func theRunnerDrawsEachFigureOnceAndTheFolderIsTheSame() async throws {
        let drawn = try await Self.exampleRun(drawsFigures: true)
        let after = try await Self.exampleRun(drawsFigures: false)
        #expect(after.outcome.figures == nil)
        let drawer = try #require(drawn.outcome.figures)
        let count = Self.figures(of: drawn.outcome).count
        #expect(count >= 2)
        // Every figure was handed in as its analysis finished, and drawn once; none again at the end.
        drawer.waitForSubmitted()
        #expect(drawer.drawings == count)
        let files = RunWriter.files(for: drawn.outcome, pipeline: drawn.pipeline, info: drawn.info)
        #expect(drawer.drawings == count)
        Self.expectSameFigures(files, RunWriter.files(for: after.outcome, pipeline: after.pipeline, info: after.info))
        #expect(files.contains { $0.name.hasSuffix(".png") } && files.contains { $0.name.hasSuffix(".pdf") })
        // RunWriter took the drawings (and let them go): asked again, the drawer draws anew.
        _ = drawer.files(of: Self.figures(of: drawn.outcome).enumerated().map { ("f\($0.offset).svg", $0.element.svg) })
        #expect(drawer.drawings == 2 * count)
    }

    @Test func submittedTwiceIsDrawnOnceAndNotSubmittedIsDrawnAtTheEnd() async throws {
        let run = try await Self.exampleRun(drawsFigures: false)
        let figures = Self.figures(of: run.outcome)
        let named = figures.enumerated().map { (name: "f\($0.offset).svg", text: $0.element.svg) }
        let outputs: Set<ReportOutput> = [.svg, .pdf, .png]
        let drawer = FigureDrawer(outputs: outputs)
        drawer.submit([figures[0]])
        drawer.submit([figures[0]])
        drawer.waitForSubmitted()
        #expect(drawer.drawings == 1)
        drawer.releaseMemory()  // the memory goes, the drawing stays; the next figures draw in new memory
        let result = drawer.files(of: named)
        #expect(drawer.drawings == figures.count)
        let direct = FigureFiles.files(of: named, outputs: outputs)
        Self.expectSameFigures(result.files, direct.files)
        #expect(result.errors == direct.errors && result.errors.isEmpty)
        #expect(result.files.count == 3 * figures.count)
    }

    @Test func notBesideAnalysesRunOneAtATime() async throws {
        let run = try await Self.exampleRun(drawsFigures: true, tasks: 1)
        #expect(run.outcome.figures == nil)
        let files = RunWriter.files(for: run.outcome, pipeline: run.pipeline, info: run.info)
        #expect(files.contains { $0.name.hasSuffix(".png") } && files.contains { $0.name.hasSuffix(".pdf") })
    }

    @Test func filesMayBeAskedTwiceAndTheSecondTimeDrawsAgain() async throws {
        let run = try await Self.exampleRun(drawsFigures: false)
        let figure = try #require(Self.figures(of: run.outcome).first)
        let drawer = FigureDrawer(outputs: [.png])
        drawer.submit([figure])
        let first = drawer.files(of: [("km.svg", figure.svg)])
        let second = drawer.files(of: [("km.svg", figure.svg)])
        #expect(first.files.map(\.name) == ["km.png"])
        #expect(second.files.map(\.name) == ["km.png"] && second.files.first?.bytes == first.files.first?.bytes)
        #expect(drawer.drawings == 2)
    }

    @Test func withoutPDFOrPNGNothingIsDrawn() {
        let figure = ReportFigure(name: "km", title: "KM", svg: #"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#)
        let drawer = FigureDrawer(outputs: [.svg, .html])
        #expect(!drawer.draws)
        drawer.submit([figure])
        let result = drawer.files(of: [("km.svg", figure.svg)])
        #expect(drawer.drawings == 0)
        #expect(result.files.map(\.name) == ["km.svg"] && result.errors.isEmpty)
    }

    @Test func aFigureThatCannotBeDrawnGivesTheSameErrorsAsDrawingAtTheEnd() {
        let broken = ReportFigure(name: "bad", title: "Bad", svg: "<svg this is not XML")
        let drawer = FigureDrawer(outputs: [.svg, .pdf, .png])
        drawer.submit([broken])
        let result = drawer.files(of: [("bad.svg", broken.svg)])
        let direct = FigureFiles.files(of: [("bad.svg", broken.svg)], outputs: [.svg, .pdf, .png])
        #expect(result.files.map(\.name) == ["bad.svg"])
        #expect(result.errors.count == 2 && result.errors == direct.errors)
        #expect(result.errors.allSatisfy { $0.hasPrefix("bad.pdf: ") || $0.hasPrefix("bad.png: ") })
    }
}

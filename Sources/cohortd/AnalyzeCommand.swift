import ArgumentParser
import CohortData
import CohortIngest
import CohortPipeline
import CohortRender
import Foundation

/// `cohortd analyze FILE --pipeline PIPELINE.yaml --output DIR`
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse one export now, without the daemon, writing the run folder's files into DIR.",
        discussion:
            "Exit status: 0 when every analysis succeeded, 2 when some failed (their errors are in results.json and on standard error), 1 when the file or pipeline could not be used."
    )

    @Argument(help: "The cohort export (CSV).")
    var file: String

    @Option(name: .long, help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .long, help: "Directory to write results.json, report.html, report.md, CSV tables and SVG figures into.")
    var output: String

    @Flag(name: .long, help: "No progress line on standard error (there is none anyway when standard error is not a terminal).")
    var quiet = false

    func run() async throws {
        MemoryTuning.forOneRun()
        let loaded: LoadedPipeline
        do { loaded = try LoadedPipeline(contentsOf: pipeline, registry: BuiltInPlugins.registry) } catch {
            Self.fail("\(error)")
        }
        // Read once with read(2), hashed and parsed from the same bytes (no mapping: a file
        // truncated meanwhile fails with changed_during_read rather than SIGBUS).
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { Self.fail("\(file): cannot open the file (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR { Self.fail("\(file): cannot read the file (it is a directory)") }
        guard let identity = FileDescriptorSource.Identity.of(descriptor: descriptor) else {
            Self.fail("\(file): cannot read the file (\(String(cString: strerror(errno))))")
        }
        let info = RunInfo(id: RunInfo.newID(), fileName: URL(fileURLWithPath: file).lastPathComponent)
        // The figures' fonts and glyphs are loaded while a large export is read (the read leaves
        // a core idle part of the time), not when the first figure is drawn. A small export is
        // read at once: there the warm-up would only add its own drawing.
        if !loaded.pipeline.report.outputs.isDisjoint(with: [.pdf, .png]) && identity.size >= Self.warmUpBytes {
            // On a dispatch thread: the warm-up blocks while the render thread draws, which would
            // hold one of the cooperative pool's threads.
            DispatchQueue.global(qos: .utility).async { FigureRenderer().warmUp() }
        }
        var runner = PipelineRunner(loaded)
        runner.drawsFigures = true
        // A file whose run would pass 3 GiB with analyses side by side runs them one at a time
        // (measured on the 2 GiB benchmark export: 3.86 GB peak side by side, 3.37 GB in turn).
        if runner.estimatedPeakBytes(fileSize: identity.size) > 3 << 30 { runner.maxConcurrentTasks = 1 }
        let progress = ProgressLine.forStandardError(quiet: quiet, expectedBytes: identity.size)
        let input: ReadInput
        let fileSource = FileDescriptorSource(descriptor: descriptor, expected: identity)
        if let progress {
            var source = ProgressSource(base: fileSource, progress: progress)
            input = runner.read(from: &source)
            if case .success(let prepared) = input.prepared {
                progress.prepared(bytes: input.bytes, seconds: input.seconds, rows: prepared.rows, cohort: prepared.table.rowCount)
            } else {
                progress.clear()
            }
            runner.progress = { progress.analyses($0) }
        } else {
            var source = fileSource
            input = runner.read(from: &source)
        }
        // The figures are drawn as their analyses finish (PipelineRunner.drawsFigures), beside
        // the others, unless the analyses run one at a time; the table is let go once the
        // analyses are done, and the reports are made in the memory it held. (Its pages are not
        // given back first: glibc's `malloc_trim` took 6–11 ms at a million rows and 70–80 ms at
        // ten million, holding the one arena's lock while the last figure was drawn, to lower
        // the peak by 6–8 MB, measured.)
        let readSucceeded = input.failure == nil
        let outcome = await runner.run(consume input, info: info)
        do {
            try RunFolderWriter.write(RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info), to: output)
        } catch {
            progress?.clear()
            Self.fail("cannot write the results: \(error)")
        }
        // The total, once the files are written (the read, the analyses and the reports).
        if readSucceeded {
            progress?.finished(analyses: outcome.result.analyses.count, failed: outcome.analysisErrors.count)
        }
        if let failure = outcome.failure {
            Self.fail(
                "\(file): \(failure)"
                    + failure.problems.dropFirst().map { "\n  line \($0.line), column \($0.column): \"\($0.value)\" is \($0.reason)" }.joined())
        }
        if !outcome.analysisErrors.isEmpty {
            for (id, error) in outcome.analysisErrors {
                FileHandle.standardError.write(Data("cohortd: analysis \(id) [\(error.code)]: \(error.message)\n".utf8))
            }
            throw ExitCode(2)
        }
    }

    /// The export size from which the figures are warmed up while it is read (about 0.1 s of reading).
    static let warmUpBytes = 32 << 20

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("cohortd: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

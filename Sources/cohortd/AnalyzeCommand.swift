import ArgumentParser
import CohortPipeline
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

    func run() async throws {
        MemoryTuning.forOneRun()
        let loaded: LoadedPipeline
        do { loaded = try LoadedPipeline(contentsOf: pipeline, registry: BuiltInPlugins.registry) } catch {
            Self.fail("\(error)")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) } catch {
            Self.fail("\(file): cannot read the file (\(error.localizedDescription))")
        }
        let info = RunInfo(id: RunInfo.newID(), fileName: URL(fileURLWithPath: file).lastPathComponent)
        let runner = PipelineRunner(loaded)
        let outcome = await runner.run(data, info: info)
        do {
            try RunWriter.write(RunWriter.files(for: outcome, pipeline: loaded.pipeline, info: info), to: output)
        } catch {
            Self.fail("\(output): cannot write the results (\(error.localizedDescription))")
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

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("cohortd: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

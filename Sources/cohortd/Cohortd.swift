import ArgumentParser
import CohortPipeline

/// The `cohortd` command line: a thin layer over the pipeline runner (and, later, the daemon).
@main
struct Cohortd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohortd",
        abstract: "Analyse cohort exports with R-exact survival statistics.",
        version: PipelineRunner.version,
        subcommands: [RunCommand.self, AnalyzeCommand.self, CheckCommand.self, StatusCommand.self, ResultsCommand.self]
    )
}

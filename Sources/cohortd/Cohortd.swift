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

    /// Parses and runs the command, as ArgumentParser's own `main` does, after tuning the
    /// allocator for `analyze` first: glibc gives a thread its arena at its first allocation, so
    /// the one-arena setting of ``MemoryTuning/forOneRun()`` must come before the runtime's
    /// threads allocate (made in the command's `run`, the 10M-row run still had 0.70M page
    /// faults instead of 0.38M).
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "analyze" { MemoryTuning.forOneRun() }
        await main(nil)
    }
}

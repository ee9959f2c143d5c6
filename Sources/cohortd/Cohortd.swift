import ArgumentParser

/// The `cohortd` command line.
@main
struct Cohortd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohortd",
        abstract: "Analyse cohort exports dropped into a directory with R-exact survival statistics.",
        version: "0.1.0"
    )
}

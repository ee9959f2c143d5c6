import ArgumentParser
import CohortConfiguration
import CohortPipeline
import Foundation

/// `cohortd check [--config PATH | PIPELINE.yaml...]`
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the daemon configuration and pipelines; errors are printed as file:line:column."
    )

    @Option(name: .long, help: "A daemon configuration file: checks it and every pipeline in its pipelines directory.")
    var config: String?

    @Argument(help: "Pipeline files to check.")
    var pipelines: [String] = []

    func run() throws {
        var files = pipelines
        var failures = 0
        if let config {
            do {
                let daemon = try DaemonConfiguration(contentsOf: config)
                let entries: [String]
                do { entries = try FileManager.default.contentsOfDirectory(atPath: daemon.pipelines) } catch {
                    throw ConfigurationError(.unreadable, "cannot list the pipelines directory \(daemon.pipelines)", file: config)
                }
                files += entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { daemon.pipelines + "/" + $0 }
                print("\(config): ok")
            } catch {
                print("\(error)")
                failures += 1
            }
        }
        if files.isEmpty && config == nil { throw ValidationError("name a --config file or pipeline files to check") }
        var names: [String: String] = [:]
        for file in files {
            do {
                let loaded = try LoadedPipeline(contentsOf: file, registry: BuiltInPlugins.registry)
                if let other = names[loaded.pipeline.name] {
                    print("\(file): pipeline name '\(loaded.pipeline.name)' is also used by \(other)")
                    failures += 1
                    continue
                }
                names[loaded.pipeline.name] = file
                print("\(file): ok (pipeline \(loaded.pipeline.name), \(loaded.analyses.count) analyses)")
            } catch {
                print("\(error)")
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

import ArgumentParser
import CohortConfiguration
import CohortIngest
import CohortStore
import ExecPlugin
import Foundation
import Logging
import ServiceLifecycle
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a daemon configuration file, resolving relative paths against its directory.
func loadDaemonConfiguration(_ path: String) throws -> DaemonConfiguration {
    try DaemonConfiguration(contentsOf: path)
}

/// Opens the store for reading (read-only when this user may not write it, e.g. an operator
/// reading the service's store).
func openStore(_ configuration: DaemonConfiguration) throws -> Store {
    try Store(path: configuration.store, readOnly: !FileManager.default.isWritableFile(atPath: configuration.store))
}

/// `cohortd run --config PATH`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: analyse every export dropped into the drop directory, exactly once."
    )

    @Option(name: .long, help: "The daemon configuration file.")
    var config: String = "/etc/cohortd/cohortd.yaml"

    func run() async throws {
        MemoryTuning.forDaemon()
        let configuration: DaemonConfiguration
        do { configuration = try loadDaemonConfiguration(config) } catch {
            FileHandle.standardError.write(Data("cohortd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let level = Logger.Level(rawValue: configuration.logLevel.rawValue) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "cohortd")
        // The service group traps SIGTERM and SIGINT (before READY=1, which the ingest service
        // sends once running) and turns them into a graceful shutdown: stop taking files, finish
        // the files in work, exit 0. SIGHUP is trapped while preparing and forwarded to reloads.
        signal(SIGPIPE, SIG_IGN)
        // Over the unit's LimitFSIZE a write fails with EFBIG (a transient, retried error) instead
        // of the signal killing the daemon.
        signal(SIGXFSZ, SIG_IGN)
        logger.info("exec plugin containment", metadata: ["containment": "\(ExecContainment.summary)"])
        let daemon: IngestDaemon
        do {
            daemon = try await IngestDaemon.prepare(
                configuration: configuration, configurationFile: config, plugins: BuiltInPlugins.registry, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: daemon.serviceConfigurations, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // The daemon holds the drop and state directory locks: keep it alive while the group runs
        // (ARC could otherwise release it after its last use above).
        defer { withExtendedLifetime(daemon) {} }
        do { try await group.run() } catch {
            logger.critical("cannot run", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

/// `cohortd status --config PATH [--json]`
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the queue, files in work, recent runs and failures from the store."
    )

    @Option(name: .long, help: "The daemon configuration file.")
    var config: String = "/etc/cohortd/cohortd.yaml"

    @Flag(name: .long, help: "Print JSON for machines.")
    var json = false

    @Flag(name: .long, help: "Also show the messages of failures, which may quote values of the data (read from the error files).")
    var showValues = false

    func run() throws {
        let configuration = try loadDaemonConfiguration(config)
        let layout = DaemonLayout(configuration)
        let queued = ((try? FileManager.default.contentsOfDirectory(atPath: layout.drop)) ?? []).filter {
            FilePath.Component($0).map { !DropNames.isIgnored($0) } ?? false
        }.count
        let store = try openStore(configuration)
        let counts = try store.stateCounts()
        let runs = try store.runs(limit: 10)
        let failures = try store.recentInputs(limit: 10, state: .failed)
        // The running daemon's own view (pipelines in force, reload state), if it is running.
        let daemonStatus = (try? Data(contentsOf: URL(fileURLWithPath: layout.state + "/daemon-status.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        if json {
            let object: [String: Any] = [
                "queued": queued,
                "inputs": Dictionary(uniqueKeysWithValues: Store.InputState.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
                "last_runs": runs.map {
                    ["run": $0.runID, "pipeline": $0.pipeline, "status": $0.status, "finished": ISO8601DateFormatter().string(from: $0.finished)]
                },
                "failures": failures.map { failure -> [String: String] in
                    var item = ["run": failure.runID, "file": failure.name, "error": failure.error ?? ""]
                    if showValues, let message = FailureMessages.message(of: failure, layout: layout) { item["message"] = message }
                    return item
                },
                "daemon": daemonStatus ?? NSNull(),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if let daemonStatus {
            let reload = daemonStatus["reload"] as? [String: Any]
            let pipelines = (daemonStatus["pipelines"] as? [String])?.joined(separator: ", ") ?? ""
            let pid = (daemonStatus["pid"] as? NSNumber)?.int32Value ?? 0
            let alive = pid > 0 && kill(pid, 0) == 0
            print(
                Terminal.safe(
                    "daemon: \(alive ? "running" : "not running"), pid \(pid), started \(daemonStatus["started"] ?? "?"), pipelines: \(pipelines)"))
            if reload?["status"] as? String == "refused" {
                print("last reload: refused, the previous configuration is in force: \(Terminal.safe("\(reload?["error"] ?? "")"))")
            } else {
                print("last reload: ok")
            }
            if let watch = daemonStatus["watch"] as? [String: Any] {
                let state = watch["status"] as? String ?? "?"
                print(Terminal.safe("watch: \(state)" + ((watch["reason"] as? String).map { ": \($0)" } ?? "")))
            }
            for concern in daemonStatus["degraded"] as? [[String: Any]] ?? [] {
                print(Terminal.safe("degraded: \(concern["reason"] ?? "")"))
            }
        }
        print("queued in drop: \(queued)")
        print("in work: \(counts[.claimed] ?? 0) claimed, \(counts[.published] ?? 0) published")
        print("done: \(counts[.archived] ?? 0) archived, \(counts[.skipped] ?? 0) duplicates skipped, \(counts[.failed] ?? 0) failed")
        if !runs.isEmpty { print("\nlast runs:") }
        for r in runs { print(Terminal.safe("  \(r.runID)  \(r.pipeline)  \(r.status)")) }
        if !failures.isEmpty { print("\nfailures:") }
        for f in failures {
            print("  \(f.runID)  \(Terminal.safe(f.name)): \(Terminal.safe(f.error ?? ""))")
            if showValues, let message = FailureMessages.message(of: f, layout: layout) { print("      \(Terminal.safe(message))") }
        }
    }
}

/// `cohortd results --config PATH [--pipeline NAME] [--status S] [--since DATE] [--json]`
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "List runs recorded in the store.")

    @Option(name: .long, help: "The daemon configuration file.")
    var config: String = "/etc/cohortd/cohortd.yaml"
    @Option(name: .long, help: "Only runs of this pipeline.") var pipeline: String?
    @Option(name: .long, help: "Only runs with this status (ok, partial, failed).") var status: String?
    @Option(name: .long, help: "Only runs finished on or after this date (yyyy-MM-dd).") var since: String?
    @Option(name: .long, help: "At most this many runs.") var limit: Int = 50
    @Flag(name: .long, help: "Print JSON for machines.") var json = false
    @Flag(name: .long, help: "Also show analysis error messages, which may quote values of the data.") var showValues = false

    func run() throws {
        let configuration = try loadDaemonConfiguration(config)
        let store = try openStore(configuration)
        var sinceDate: Date? = nil
        if let since {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd"
            guard let d = f.date(from: since) else { throw ValidationError("--since takes a date as yyyy-MM-dd") }
            sinceDate = d
        }
        let runs = try store.runs(pipeline: pipeline, status: status, since: sinceDate, limit: limit)
        if json {
            let items: [[String: Any]] = runs.map {
                [
                    "run": $0.runID, "pipeline": $0.pipeline, "pipeline_sha256": $0.pipelineSHA256, "status": $0.status,
                    "finished": ISO8601DateFormatter().string(from: $0.finished), "results": $0.resultsPath,
                    "error": $0.error.map { showValues ? $0 : "analysis errors (use --show-values)" } as Any? ?? NSNull(),
                ]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        for r in runs { print(Terminal.safe("\(r.runID)  \(r.pipeline)  \(r.status)  \(r.resultsPath)")) }
    }
}

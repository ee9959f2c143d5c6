import CohortIngest
import CohortIngestTesting
import Foundation
import Logging
import Synchronization
import Testing

/// The daemon logs a run's phases (read, derive, filter, analyses: seconds and peak RSS) at
/// debug level, with no file name or cell value.
@Suite struct PhaseLogTests {
    /// Log lines kept in memory.
    final class Lines: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
    }

    struct CapturingHandler: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { $1 }
            lines.entries.withLock { $0.append((event.level, "\(event.message)", all)) }
        }
    }

    @Test func aRunsPhasesAreLoggedAtDebugLevel() async throws {
        var site = try FakeSite()
        let lines = Lines()
        site.environment.logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        let identity = site.files.drop("km_secret.csv", Fixture.csv)
        let (ending, runner) = await site.runJourney("km_secret.csv", identity: identity)
        #expect(ending == .archived)
        let entries = lines.entries.withLock { $0 }
        let phases = try #require(entries.first { $0.message == "run phases" })
        #expect(phases.level == .debug)
        #expect(phases.metadata["run"]?.description == runner.file.runID)
        for name in ["read", "derive", "filter", "analyses"] {
            let seconds = try #require(phases.metadata["\(name)_s"].flatMap { Double($0.description) }, "\(name)")
            #expect(seconds >= 0 && seconds < 60, "\(name)")
            let peak = try #require(phases.metadata["\(name)_peak_rss_mib"].flatMap { Int($0.description) }, "\(name)")
            #expect(peak > 0, "\(name)")
        }
        let text = entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!text.contains("secret"))
    }
}

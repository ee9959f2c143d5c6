import CohortConfiguration
import CohortIngest
import CohortIngestTesting
import CohortPipeline
import CohortStore
import Foundation
import Logging
import SystemPackage
import Testing

@testable import cohortd

/// A pipeline and exports shared by the ingest tests.
enum Fixture {
    // The pipeline without the figures' PDF and PNG: these tests are about ingestion, and the debug build that
    // `swift test` runs renders a 300-dpi PNG slowly enough to stall the 1,000-file burst.
    static let pipeline = """
        name: km-test
        match: ["km_*.csv", "sub/*.csv"]
        columns: {time: number, dead: {type: boolean, true: ["1"], false: ["0"]}, sex: category}
        survival: {time: time, event: dead, unit: months}
        analyses:
          - {id: overall, plugin: kaplan_meier, times: [6]}
          - {id: bysex, plugin: logrank, groups: [sex]}
        report: {outputs: [html, md, csv, svg]}
        """
    static let csv = "time,dead,sex\n5,1,M\n8,0,F\n12,1,F\n3,1,M\n9,0,M\n"
    static let bad = "time,dead,sex\n5,1,M\nabc,0,F\n"

    static func pipelines(in directory: String) throws -> PipelineSet {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try pipeline.write(toFile: directory + "/km.yaml", atomically: true, encoding: .utf8)
        return try PipelineSet.load(from: directory, registry: BuiltInPlugins.registry)
    }
}

/// A fresh directory `cohortd-<label>-<UUID>` under the temporary directory, removed with all it
/// holds when the last reference to it goes: whoever uses the directory holds this.
final class ScratchDirectory: Sendable {
    let path: String

    init(_ label: String) {
        path = NSTemporaryDirectory() + "cohortd-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// An in-memory installation: fake files, a manual clock, a real journal in a temporary file.
struct FakeSite {
    let scratch = ScratchDirectory("fake")
    let files = InMemoryFileSystem()
    let clock = ManualClock()
    let journal: Store
    let state: IngestState
    var environment: IngestEnvironment

    init(options: IngestOptions = IngestOptions(settle: 0), memoryBudget: Int64 = 1 << 30) throws {
        journal = try Store(path: scratch.path + "/journal.sqlite")
        state = IngestState(pipelines: try Fixture.pipelines(in: scratch.path + "/pipelines.d"), memoryBudget: memoryBudget)
        environment = IngestEnvironment(
            files: files, journal: journal, state: state, clock: clock, options: options, logger: Logger(label: "test"))
    }

    /// Runs one journey for a dropped file to its end, advancing the clock whenever it waits.
    func runJourney(_ path: FilePath, identity: FileIdentity, runID: String = RunInfo.newID()) async -> (IngestJourney.Ending, JourneyRunner) {
        var runner = JourneyRunner(environment: environment, file: .init(runID: runID, path: path, identity: identity))
        let clock = self.clock
        let pump = Task {
            while !Task.isCancelled {
                if clock.sleeperCount > 0 { clock.advance(by: .seconds(60)) }
                await Task.yield()
            }
        }
        let ending = await runner.run()
        pump.cancel()
        return (ending, runner)
    }
}

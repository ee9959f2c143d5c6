import CohortStore
import Foundation
import Testing

/// The journal and output store: state transitions, duplicates, queries, reading while writing.
@Suite struct StoreTests {
    /// A store in a fresh directory, and its path: the test removes the directory (``remove(_:)``).
    static func temporaryStore() throws -> (Store, String) {
        let dir = NSTemporaryDirectory() + "cohortd-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/store.sqlite"
        do {
            return (try Store(path: path), path)
        } catch {
            remove(path)
            throw error
        }
    }

    /// Removes the directory of the store at `path`.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    static func run(_ id: String, status: String = "ok") -> Store.Run {
        Store.Run(
            runID: id, pipeline: "p", pipelineSHA256: "ps", version: "0.1.0", started: Date(), finished: Date(),
            status: status, error: nil, resultsPath: "/r/\(id)", readSeconds: 0.1, analysisSeconds: 0.2)
    }

    @Test func anInputGoesFromClaimedToArchived() throws {
        let (store, path) = try Self.temporaryStore()
        defer { Self.remove(path) }
        try store.recordClaim(runID: "r1", name: "pm_1.csv")
        try store.recordClaim(runID: "r1", name: "pm_1.csv")  // idempotent
        #expect(try store.unfinishedInputs().map(\.runID) == ["r1"])
        #expect(try store.recordAttempt(runID: "r1", sha256: "abc", bytes: 10, pipeline: "p", pipelineSHA256: "ps") == 1)
        #expect(try store.recordAttempt(runID: "r1", sha256: "abc", bytes: 10, pipeline: "p", pipelineSHA256: "ps") == 2)
        try store.recordPublished(
            Self.run("r1"),
            analyses: [
                Store.Analysis(runID: "r1", id: "km", plugin: "kaplan_meier", status: "ok", seconds: 0.01, result: "{\"n\": 3}", error: nil)
            ])
        #expect(try store.input(runID: "r1")?.state == .published)
        try store.recordState(runID: "r1", .archived)
        #expect(try store.unfinishedInputs().isEmpty)
        #expect(try store.analyses(runID: "r1").first?.result == "{\"n\": 3}")
        #expect(try store.stateCounts()[.archived] == 1)
    }

    @Test func duplicatesAreFoundByContentAndPipelineVersion() throws {
        let (store, path) = try Self.temporaryStore()
        defer { Self.remove(path) }
        try store.recordClaim(runID: "a", name: "x.csv")
        try store.recordAttempt(runID: "a", sha256: "same", bytes: 1, pipeline: "p", pipelineSHA256: "v1")
        try store.recordPublished(Self.run("a"), analyses: [])
        try store.recordClaim(runID: "b", name: "y.csv")
        #expect(try store.alreadyAnalysed(sha256: "same", pipelineSHA256: "v1", excluding: "b") == "a")
        #expect(try store.alreadyAnalysed(sha256: "same", pipelineSHA256: "v2", excluding: "b") == nil)
        #expect(try store.alreadyAnalysed(sha256: "other", pipelineSHA256: "v1", excluding: "b") == nil)
    }

    @Test func failuresKeepTheirError() throws {
        let (store, path) = try Self.temporaryStore()
        defer { Self.remove(path) }
        try store.recordClaim(runID: "f", name: "bad.csv")
        try store.recordState(runID: "f", .failed, error: "line 3, column age: value \"x\" is not a number")
        let input = try #require(try store.input(runID: "f"))
        #expect(input.state == .failed && input.error?.contains("line 3") == true)
        #expect(try store.recentInputs(limit: 10, state: .failed).map(\.runID) == ["f"])
    }

    @Test func aSecondConnectionReadsWhileTheFirstWrites() throws {
        let (store, path) = try Self.temporaryStore()
        defer { Self.remove(path) }
        try store.recordClaim(runID: "r", name: "x.csv")
        try store.recordAttempt(runID: "r", sha256: "s", bytes: 1, pipeline: "p", pipelineSHA256: "ps")
        try store.recordPublished(Self.run("r"), analyses: [])
        let reader = try Store(path: path, readOnly: true)
        #expect(try reader.runs(pipeline: "p").map(\.runID) == ["r"])
        #expect(try reader.runs(status: "failed").isEmpty)
        #expect(try reader.runs(since: Date().addingTimeInterval(3600)).isEmpty)
        // Reopening migrates nothing twice.
        _ = try Store(path: path)
    }
}

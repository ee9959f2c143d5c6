import CohortJSON
import CohortPipeline
import CohortPluginAPI
import CohortStore
import Foundation

extension FileProcessor {
    /// Finishes what a previous run of the daemon took and did not finish, so that every claimed
    /// file ends with exactly one results folder or one failure record. Call before scanning.
    public func recover() async {
        let unfinished: [Store.Input]
        do { unfinished = try store.unfinishedInputs() } catch {
            logger.error("cannot read the journal", metadata: ["error": "\(Self.code(error))"])
            return
        }
        if !unfinished.isEmpty { logger.notice("recovering unfinished files", metadata: ["count": "\(unfinished.count)"]) }
        let manager = FileManager.default
        for input in unfinished {
            let stored = Self.storedName(runID: input.runID, relativePath: input.name)
            let inProcessing = manager.fileExists(atPath: layout.processing + "/" + stored)
            do {
                switch input.state {
                case .published:
                    try archive(runID: input.runID, name: input.name, state: .archived, note: nil)
                case .claimed:
                    if let pipeline = input.pipeline, input.pipelineSHA256 != nil,
                        manager.fileExists(atPath: layout.results + "/" + pipeline + "/" + input.runID)
                    {
                        // Published before the journal recorded it: record it from its results.json.
                        let folder = layout.results + "/" + pipeline + "/" + input.runID
                        do {
                            let document = try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: folder + "/results.json"))))
                            let result = try RunResult(recordedIn: document)
                            try store.recordPublished(Store.Run(result, folder: folder), analyses: Store.Analysis.rows(of: result))
                            try archive(runID: input.runID, name: input.name, state: .archived, note: nil)
                        } catch is JSONParser.Error, is AnalysisError {
                            // The folder is there but its results.json cannot be read back: keep the
                            // folder, archive the input, and say so in the journal.
                            try archive(
                                runID: input.runID, name: input.name, state: .archived,
                                note: "published, but its results.json could not be read back to record the run")
                        }
                    } else if inProcessing {
                        await process(runID: input.runID, name: input.name)
                    } else if manager.fileExists(atPath: layout.failed + "/" + stored) {
                        try store.recordState(runID: input.runID, .failed, error: input.error ?? "failed before the journal was updated")
                    } else if archived(stored) {
                        try store.recordState(runID: input.runID, .archived)
                    } else if manager.fileExists(atPath: layout.drop + "/" + input.name) {
                        // Journaled but not yet moved: claim it now.
                        try FileOps.move(layout.drop + "/" + input.name, to: layout.processing + "/" + stored)
                        await process(runID: input.runID, name: input.name)
                    } else {
                        try store.recordState(
                            runID: input.runID, .failed, error: "the file disappeared from the drop directory before it was claimed")
                    }
                default:
                    break
                }
            } catch {
                logger.error("recovery step failed", metadata: ["run": "\(input.runID)", "error": "\(Self.code(error))"])
            }
        }
        // Partial run folders of interrupted attempts.
        for entry in (try? manager.contentsOfDirectory(atPath: layout.work)) ?? [] {
            try? manager.removeItem(atPath: layout.work + "/" + entry)
        }
    }

    private func archived(_ stored: String) -> Bool {
        let days = (try? FileManager.default.contentsOfDirectory(atPath: layout.archive)) ?? []
        return days.contains { FileManager.default.fileExists(atPath: layout.archive + "/" + $0 + "/" + stored) }
    }
}

import CohortConfiguration
import CohortJSON
import CohortPipeline
import CohortPluginAPI
import CohortReport
import Foundation
import Testing

@testable import cohortd

/// Paths into the repository and helpers to run pipelines in tests.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var paperPipeline: String { root.appendingPathComponent("etc/pipelines.d/rps-metastasectomy.yaml").path }
    static var paperExport: String { root.appendingPathComponent("examples/pm_database_export.csv").path }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }
}

/// The executable's plugins.
let testRegistry = BuiltInPlugins.registry

/// Runs a pipeline given as YAML text on CSV text.
func runPipeline(_ yaml: String, csv: String, directory: String = NSTemporaryDirectory()) async throws -> RunOutcome {
    let loaded = try LoadedPipeline(text: yaml, file: "test.yaml", directory: directory, registry: testRegistry)
    return await PipelineRunner(loaded).run(Data(csv.utf8), info: RunInfo(id: "test", fileName: "test.csv"))
}

extension JSONValue {
    var number: Double? {
        if case .number(let v) = self { return v }
        return nil
    }
    var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }
    var array: [JSONValue] {
        if case .array(let v) = self { return v }
        return []
    }

    /// The result of analysis `id` in a results document.
    func analysis(_ id: String) -> JSONValue? {
        self["analyses"]?.array.first { $0["id"]?.string == id }
    }
}

/// The configuration error `body` throws, or `nil` when it throws none (any other error is
/// recorded as an issue).
func configurationError(_ body: () throws -> Void) -> ConfigurationError? {
    do {
        try body()
        return nil
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

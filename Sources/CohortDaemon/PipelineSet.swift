import CohortConfiguration
public import CohortPipeline
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The pipelines of the pipelines directory, and which of them a dropped file matches.
public struct PipelineSet: Sendable {
    public let pipelines: [LoadedPipeline]

    public init(pipelines: [LoadedPipeline]) { self.pipelines = pipelines }

    /// Loads and validates every `*.yaml` / `*.yml` file of `directory`.
    ///
    /// - Throws: the first file's ``ConfigurationError``, or a duplicate-name error.
    public static func load(from directory: String, registry: PluginRegistry) throws -> PipelineSet {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var loaded: [LoadedPipeline] = []
        for entry in entries.sorted() where entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
            let pipeline = try LoadedPipeline(contentsOf: directory + "/" + entry, registry: registry)
            if let other = loaded.first(where: { $0.pipeline.name == pipeline.pipeline.name }) {
                throw ConfigurationError(
                    .duplicate, "pipeline name '\(pipeline.pipeline.name)' is also used by \(other.pipeline.file)",
                    file: directory + "/" + entry)
            }
            loaded.append(pipeline)
        }
        return PipelineSet(pipelines: loaded)
    }

    /// The pipelines whose `match` globs match `relativePath` (the path below the drop directory).
    /// A `*` does not cross `/`: "rps/*.csv" matches files dropped into drop/rps/.
    public func matching(_ relativePath: String) -> [LoadedPipeline] {
        pipelines.filter { loaded in
            loaded.pipeline.match.contains { fnmatch($0, relativePath, FNM_PATHNAME) == 0 }
        }
    }
}

/// The pipelines in force, replaced as a whole on reload (SIGHUP) while workers read them.
public final class PipelineHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var set: PipelineSet
    private var error: String?

    public init(_ set: PipelineSet) { self.set = set }

    public var current: PipelineSet { lock.withLock { set } }
    /// The last reload's error (`file:line:column: …`), or `nil` when the last reload succeeded.
    public var lastReloadError: String? { lock.withLock { error } }

    public func replace(with newSet: PipelineSet) {
        lock.withLock {
            set = newSet
            error = nil
        }
    }

    public func recordReloadFailure(_ message: String) { lock.withLock { error = message } }
}

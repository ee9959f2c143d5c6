import CohortConfiguration
public import CohortPipeline
import Foundation
public import SystemPackage

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
    /// (The bytes of the path are matched: a name need not be UTF-8.)
    public func matching(_ relativePath: FilePath) -> [LoadedPipeline] {
        relativePath.withPlatformString { path in
            pipelines.filter { loaded in loaded.pipeline.match.contains { fnmatch($0, path, FNM_PATHNAME) == 0 } }
        }
    }
}

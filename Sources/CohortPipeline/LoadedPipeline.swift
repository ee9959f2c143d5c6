public import CohortConfiguration
import CohortData
public import CohortPluginAPI
import Crypto
public import Foundation

/// A pipeline file read, validated (plugins' parameters included) and ready to run.
public struct LoadedPipeline: Sendable {
    public let pipeline: Pipeline
    public let analyses: [ConfiguredAnalysis]
    /// SHA-256 of the file's bytes, lowercase hex.
    public let sha256: String
    /// The directory holding the file (relative `exec` commands resolve against it).
    public let directory: String

    /// Validates a pipeline given as text, its analyses with the plugins of `registry`.
    public init(text: String, file: String, directory: String, registry: PluginRegistry) throws {
        let pipeline = try Pipeline(yaml: text, file: file)
        var analyses: [ConfiguredAnalysis] = []
        for spec in pipeline.analyses {
            var context = Self.context(of: pipeline, id: spec.id, earlier: analyses.map(\.asEarlier))
            context.pipelineDirectory = directory
            analyses.append(try registry.configure(spec, context: context))
        }
        self.pipeline = pipeline
        self.analyses = analyses
        self.sha256 = Digest.sha256(Array(text.utf8))
        self.directory = directory
    }

    /// Reads and validates a pipeline file.
    public init(contentsOf path: String, registry: PluginRegistry) throws {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigurationError(.unreadable, "cannot read the file (\(error.localizedDescription))", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, "the file is not UTF-8 text", file: path)
        }
        try self.init(text: text, file: path, directory: url.deletingLastPathComponent().path, registry: registry)
    }
}

extension LoadedPipeline {
    /// The pipeline's survival outcome in the plugin API's terms.
    public var survival: SurvivalOutcome? { pipeline.survivalOutcome }

    /// What the analysis `id` may validate its parameters against.
    static func context(of pipeline: Pipeline, id: String, earlier: [EarlierAnalysis]) -> AnalysisContext {
        var kinds: [String: ColumnKind] = [:]
        for column in pipeline.columns { kinds[column.name] = column.kind }
        for d in pipeline.derivations { kinds[d.name] = d.expression.kind(given: kinds) }
        return AnalysisContext(
            id: id, kinds: kinds, survival: pipeline.survivalOutcome,
            profile: pipeline.profile.flatMap { Profile(rawValue: $0.rawValue) },
            labels: pipeline.labels, earlier: earlier)
    }
}

extension Pipeline {
    /// The `survival:` block in the plugin API's terms.
    var survivalOutcome: SurvivalOutcome? {
        survival.map { SurvivalOutcome(time: $0.time, event: $0.event, unit: $0.unit) }
    }
}

/// SHA-256 digests as lowercase hex.
public enum Digest {
    public static func sha256(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}

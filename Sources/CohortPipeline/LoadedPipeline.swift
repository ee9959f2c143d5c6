public import CohortConfiguration
public import CohortData
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
    /// Declared columns the reader checks but does not keep (see ``unreadIdentifiers(of:)``).
    public let unreadColumns: Set<String>
    /// The survival time's origin and the derived variables' dates, for the `immortal_time` check
    /// (`nil` when the survival time is not derived from dates).
    public let immortalTime: ImmortalTimeCheck?

    /// Validates a pipeline given as text, its analyses with the plugins of `registry`.
    public init(text: String, file: String, directory: String, registry: PluginRegistry) throws {
        let pipeline = try Pipeline(yaml: text, file: file)
        try Self.checkFileNames(of: pipeline)
        // The variables' kinds and declared levels once, and the earlier analyses grown one by one
        // (not rebuilt for each analysis): validation stays linear in the number of analyses.
        let kinds = Self.kinds(of: pipeline)
        let levels = Self.declaredLevels(of: pipeline)
        var analyses: [ConfiguredAnalysis] = []
        var earlier: [EarlierAnalysis] = []
        analyses.reserveCapacity(pipeline.analyses.count)
        earlier.reserveCapacity(pipeline.analyses.count)
        for spec in pipeline.analyses {
            var context = Self.context(of: pipeline, id: spec.id, kinds: kinds, declaredLevels: levels, earlier: earlier)
            context.pipelineDirectory = directory
            let configured = try registry.configure(spec, context: context)
            analyses.append(configured)
            earlier.append(configured.asEarlier)
        }
        self.pipeline = pipeline
        self.analyses = analyses
        self.sha256 = Digest.sha256(Array(text.utf8))
        self.directory = directory
        self.unreadColumns = Self.unreadIdentifiers(of: pipeline)
        self.immortalTime = ImmortalTimeCheck(survivalTime: pipeline.survival?.time, derivations: pipeline.derivations, kinds: kinds)
    }

    /// Reads and validates a pipeline file (at most ``YAMLLimits/maximumBytes`` of it are read: a
    /// larger file is refused before it is read whole).
    public init(contentsOf path: String, registry: PluginRegistry) throws {
        let text = try ConfigurationFile.read(path)
        try self.init(text: text, file: path, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path, registry: registry)
    }
}

extension LoadedPipeline {
    /// The pipeline's survival outcome in the plugin API's terms.
    public var survival: SurvivalOutcome? { pipeline.survivalOutcome }

    /// The pipeline's competing-risks outcome in the plugin API's terms.
    public var competing: CompetingOutcome? { pipeline.competingOutcome }

    /// What the analysis `id` may validate its parameters against.
    static func context(of pipeline: Pipeline, id: String, earlier: [EarlierAnalysis]) -> AnalysisContext {
        context(of: pipeline, id: id, kinds: kinds(of: pipeline), declaredLevels: declaredLevels(of: pipeline), earlier: earlier)
    }

    /// The kind of every declared and derived variable.
    static func kinds(of pipeline: Pipeline) -> [String: ColumnKind] {
        var kinds: [String: ColumnKind] = [:]
        for column in pipeline.columns { kinds[column.name] = column.kind }
        for d in pipeline.derivations { kinds[d.name] = d.expression.kind(given: kinds) }
        return kinds
    }

    static func context(
        of pipeline: Pipeline, id: String, kinds: [String: ColumnKind], declaredLevels: [String: [String]], earlier: [EarlierAnalysis]
    ) -> AnalysisContext {
        AnalysisContext(
            id: id, kinds: kinds, survival: pipeline.survivalOutcome,
            profile: pipeline.profile.flatMap { Profile(rawValue: $0.rawValue) },
            labels: pipeline.labels, earlier: earlier, declaredLevels: declaredLevels, competing: pipeline.competingOutcome)
    }

    /// The levels of each category column that lists them, in declared order.
    static func declaredLevels(of pipeline: Pipeline) -> [String: [String]] {
        var levels: [String: [String]] = [:]
        for column in pipeline.columns where column.kind == .category && column.levels.mapping != nil {
            levels[column.name] = column.levels.labels
        }
        return levels
    }
}

extension Pipeline {
    /// The `survival:` block in the plugin API's terms.
    var survivalOutcome: SurvivalOutcome? {
        survival.map { SurvivalOutcome(time: $0.time, event: $0.event, unit: $0.unit) }
    }

    /// The `competing:` block in the plugin API's terms.
    var competingOutcome: CompetingOutcome? {
        competing.map { CompetingOutcome(time: $0.time, status: $0.status, censored: $0.censored, unit: $0.unit) }
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
        var stream = SHA256Stream()
        stream.observe(bytes)
        return stream.hex
    }

    /// SHA-256 computed piece by piece as the input is read (a ``ByteObserver``), so that the file
    /// is hashed from the bytes the reader parses, in the one read of it. Also counts the bytes.
    public struct SHA256Stream: ByteObserver {
        private var hasher = SHA256()
        /// Bytes hashed so far.
        public private(set) var count = 0

        public init() {}

        public mutating func observe(_ bytes: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: bytes)
            count += bytes.count
        }

        /// The digest of the bytes observed, lowercase hex.
        public var hex: String {
            hasher.finalize().map { byte in
                let s = String(byte, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined()
        }
    }
}

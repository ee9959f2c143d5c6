/// What a plugin may check its parameters against while a pipeline is being validated.
public final class PipelineContext: @unchecked Sendable {
    /// The pipeline being validated.
    public let pipeline: Pipeline
    /// Kind of every declared and derived variable.
    public let kinds: [String: ColumnKind]
    /// Earlier analyses (id → plugin name), in order.
    public private(set) var earlier: [(id: String, plugin: String)] = []
    /// Ids of earlier analyses the current one referred to (collected for the runner).
    var referencedAnalyses: [String] = []

    public init(pipeline: Pipeline) {
        self.pipeline = pipeline
        var kinds: [String: ColumnKind] = [:]
        for column in pipeline.columns { kinds[column.name] = column.kind }
        for d in pipeline.derivations { kinds[d.name] = Self.kind(of: d.expression, kinds: kinds) }
        self.kinds = kinds
    }

    /// Records an analysis as validated, so later ones may refer to it.
    public func append(id: String, plugin: String) { earlier.append((id, plugin)) }

    static func kind(of e: Expression, kinds: [String: ColumnKind]) -> ColumnKind {
        switch e {
        case .column(let name): return kinds[name] ?? .number
        case .yearsBetween, .monthsBetween, .daysBetween: return .number
        case .firstOf(let list): return list.first.map { kind(of: $0, kinds: kinds) } ?? .number
        case .equals, .isIn, .not, .greaterThan, .lessThan: return .boolean
        }
    }

    /// Reads a variable name from `node` and checks that the pipeline declares or derives it
    /// (and, when `allowed` is given, that it has one of those kinds).
    public func variable(_ node: YAMLNode, kinds allowed: Set<ColumnKind>? = nil) throws -> String {
        let name = try node.string()
        guard let kind = kinds[name] else {
            throw node.error(.undeclaredVariable, Pipeline.undeclared(name, known: Set(kinds.keys)))
        }
        if let allowed, !allowed.contains(kind) {
            throw node.error(.invalidValue, "'\(name)' is a \(kind.rawValue) variable; this needs \(allowed.map(\.rawValue).sorted().joined(separator: " or "))")
        }
        return name
    }

    /// The `survival:` block, required by survival analyses.
    public func survival(for node: YAMLNode) throws -> Pipeline.Survival {
        guard let s = pipeline.survival else {
            throw node.error(.missingKey, "this analysis needs the pipeline's survival: {time, event} block")
        }
        return s
    }

    /// Checks that `node` names an earlier analysis, and records the dependency.
    public func earlierAnalysis(_ node: YAMLNode) throws -> (id: String, plugin: String) {
        let id = try node.string()
        guard let found = earlier.first(where: { $0.id == id }) else {
            var message = "'\(id)' is not an analysis listed before this one"
            if let guess = Suggestion.closest(to: id, among: earlier.map(\.id)) { message += " — did you mean '\(guess)'?" }
            throw node.error(.invalidValue, message)
        }
        if !referencedAnalyses.contains(id) { referencedAnalyses.append(id) }
        return found
    }
}

public import CohortData

/// What a plugin may check its parameters against while a pipeline is validated: the variables
/// the pipeline declares or derives, its survival outcome, profile and labels, and the analyses
/// listed before this one. A value: plugins read it, nothing is collected from it.
public struct AnalysisContext: Sendable {
    /// The analysis's `id`.
    public var id: String
    /// Kind of every declared and derived variable.
    public var kinds: [String: ColumnKind]
    /// The pipeline's `survival:` block, if any.
    public var survival: SurvivalOutcome?
    /// The pipeline's `competing:` block, if any.
    public var competing: CompetingOutcome?
    /// The pipeline's `profile:`, if any.
    public var profile: Profile?
    /// Display labels of variables.
    public var labels: [String: String]
    /// Analyses listed before this one, in order.
    public var earlier: [EarlierAnalysis]
    /// The directory of the pipeline file, when it is known (`exec` checks that a relative
    /// program exists there).
    public var pipelineDirectory: String?
    /// The declared levels of category variables whose `levels` the pipeline lists (in declared
    /// order), so that a grouping with fewer than two levels is a configuration error. Variables
    /// whose levels come from the data are absent.
    public var declaredLevels: [String: [String]]
    /// Whether the analysis's method checks are on (`checks:` on its entry, default `true`; see
    /// ``MethodChecks``). Their warnings are dropped by the plugin API when off; a plugin reads
    /// this only to skip checks that cost time to compute.
    public var checks: Bool

    public init(
        id: String, kinds: [String: ColumnKind], survival: SurvivalOutcome?, profile: Profile?, labels: [String: String],
        earlier: [EarlierAnalysis], pipelineDirectory: String? = nil, declaredLevels: [String: [String]] = [:],
        competing: CompetingOutcome? = nil, checks: Bool = true
    ) {
        self.competing = competing
        self.checks = checks
        self.pipelineDirectory = pipelineDirectory
        self.declaredLevels = declaredLevels
        self.id = id
        self.kinds = kinds
        self.survival = survival
        self.profile = profile
        self.labels = labels
        self.earlier = earlier
    }

    /// The display label of a variable (its name when no label is given).
    public func label(_ variable: String) -> String { labels[variable] ?? variable }

    /// Reads a variable name from `value` and checks that the pipeline declares or derives it
    /// (and, when `allowed` is given, that it has one of those kinds).
    public func variable(_ value: any ParameterValue, kinds allowed: Set<ColumnKind>? = nil) throws -> String {
        let name = try value.string()
        guard let kind = kinds[name] else {
            throw value.error(.undeclaredVariable, Suggestion.undeclared(name, known: Set(kinds.keys)))
        }
        if let allowed, !allowed.contains(kind) {
            throw value.error(
                .invalidValue, "'\(name)' is a \(kind.rawValue) variable; this needs \(allowed.map(\.rawValue).sorted().joined(separator: " or "))")
        }
        return name
    }

    /// A list of variables (see ``variable(_:kinds:)``).
    public func variables(_ value: any ParameterValue, kinds allowed: Set<ColumnKind>? = nil) throws -> [String] {
        try value.items().map { try variable($0, kinds: allowed) }
    }

    /// The survival outcome, required by survival analyses; the error is located at `value`.
    public func requireSurvival(at value: any ParameterValue) throws -> SurvivalOutcome {
        guard let survival else {
            throw value.error(.missingKey, "this analysis needs the pipeline's survival: {time, event} block")
        }
        return survival
    }

    /// The competing-risks outcome, required by `cumulative_incidence`; the error is located at `value`.
    public func requireCompeting(at value: any ParameterValue) throws -> CompetingOutcome {
        guard let competing else {
            throw value.error(.missingKey, "this analysis needs the pipeline's competing: {time, status, censored} block")
        }
        return competing
    }

    /// Checks that `value` names an analysis listed before this one. The plugin declares the
    /// dependency through ``AnalysisPlugin/dependencies(of:)``.
    public func earlierAnalysis(_ value: any ParameterValue) throws -> EarlierAnalysis {
        let id = try value.string()
        guard let found = earlier.first(where: { $0.id == id }) else {
            var message = "'\(id)' is not an analysis listed before this one"
            if let guess = Suggestion.closest(to: id, among: earlier.map(\.id)) { message += " — did you mean '\(guess)'?" }
            throw value.error(.invalidValue, message)
        }
        return found
    }
}

/// An analysis listed before the one being validated.
public struct EarlierAnalysis: Sendable {
    public var id: String
    /// Its plugin's name.
    public var plugin: String
    /// Its plugin's output type, so that a plugin can check what the analysis provides
    /// (`output is any CutoffProviding.Type`).
    public var output: any Sendable.Type

    public init(id: String, plugin: String, output: any Sendable.Type) {
        self.id = id
        self.plugin = plugin
        self.output = output
    }
}

/// The survival outcome of a pipeline: which variables are follow-up time and event.
public struct SurvivalOutcome: Sendable, Hashable {
    public var time: String
    public var event: String
    /// Unit of `time` ("months").
    public var unit: String

    public init(time: String, event: String, unit: String) {
        self.time = time
        self.event = event
        self.unit = unit
    }
}

/// The competing-risks outcome of a pipeline (`competing:`): a follow-up time and a category
/// column with one level per event type; the `censored` levels mean "no event".
public struct CompetingOutcome: Sendable, Hashable {
    public var time: String
    public var status: String
    /// Levels of `status` that mean "no event" (cmprsk's `cencode`, several recoded to one).
    public var censored: [String]
    /// Unit of `time` ("months").
    public var unit: String

    public init(time: String, status: String, censored: [String], unit: String) {
        self.time = time
        self.status = status
        self.censored = censored
        self.unit = unit
    }
}

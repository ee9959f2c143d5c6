public import CohortConfiguration
import CohortData
public import CohortPluginAPI

/// The analysis plugins a pipeline may name. The executable makes the one list of built-in
/// plugins (`BuiltInPlugins`); this module knows none of them.
public struct PluginRegistry: Sendable {
    public let plugins: [any AnalysisPlugin.Type]

    /// - Precondition: names are unique (a programming error otherwise, caught by the conformance suite).
    public init(plugins: [any AnalysisPlugin.Type]) { self.plugins = plugins }

    public var names: [String] { plugins.map { $0.name } }

    /// The plugin named `name`.
    public func plugin(named name: String) -> (any AnalysisPlugin.Type)? {
        plugins.first { $0.name == name }
    }

    /// Decodes an `analyses:` entry with the plugin it names.
    public func configure(_ spec: Pipeline.AnalysisSpec, context: AnalysisContext) throws -> ConfiguredAnalysis {
        guard let plugin = plugin(named: spec.plugin) else {
            var message = "unknown plugin '\(spec.plugin)'; built-in plugins: \(names.joined(separator: ", "))"
            if let guess = Suggestion.closest(to: spec.plugin, among: names) {
                message = "unknown plugin '\(spec.plugin)' — did you mean '\(guess)'?"
            }
            let node = (try? spec.node.anyMapping())?["plugin"] ?? spec.node
            throw node.error(.invalidValue, message)
        }
        return try plugin.configure(YAMLParameterValue(spec.node), context: context)
    }
}

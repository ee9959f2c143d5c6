public import CohortPluginSDK
import CoxPlugin
import DescriptivesPlugin
import ExecPlugin
import KaplanMeierPlugin
import LogRankPlugin
import ROCCutoffPlugin

/// The one place that lists the built-in analysis plugins.
public struct PluginRegistry: Sendable {
    public let plugins: [any AnalysisPlugin.Type]

    /// The built-in plugins.
    public static let builtIn = PluginRegistry(plugins: [
        DescriptivesPlugin.self, KaplanMeierPlugin.self, LogRankPlugin.self, ROCCutoffPlugin.self, CoxPlugin.self, ExecPlugin.self,
    ])

    public init(plugins: [any AnalysisPlugin.Type]) { self.plugins = plugins }

    public var names: [String] { plugins.map { $0.name } }

    /// Decodes an `analyses:` entry with the plugin it names.
    public func configure(_ spec: Pipeline.AnalysisSpec, in context: PipelineContext) throws -> ConfiguredAnalysis {
        guard let plugin = plugins.first(where: { $0.name == spec.plugin }) else {
            var message = "unknown plugin '\(spec.plugin)'; built-in plugins: \(names.joined(separator: ", "))"
            if let guess = Suggestion.closest(to: spec.plugin, among: names) { message = "unknown plugin '\(spec.plugin)' — did you mean '\(guess)'?" }
            let node = (try? spec.node.anyMapping())?["plugin"] ?? spec.node
            throw node.error(.invalidValue, message)
        }
        return try plugin.configure(spec, in: context)
    }
}

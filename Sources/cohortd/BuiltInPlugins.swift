import CohortPipeline
import CoxPlugin
import CumulativeIncidencePlugin
import DescriptivesPlugin
import ExecPlugin
import KaplanMeierPlugin
import LogRankPlugin
import RMSTPlugin
import ROCCutoffPlugin

/// The one list of the analyses a pipeline can name. A new built-in plugin is a folder under
/// `plugins/`, a line in Package.swift's `builtInPlugins` and a line here.
enum BuiltInPlugins {
    static let registry = PluginRegistry(plugins: [
        DescriptivesPlugin.self,
        KaplanMeierPlugin.self,
        LogRankPlugin.self,
        ROCCutoffPlugin.self,
        CoxPlugin.self,
        RMSTPlugin.self,
        CumulativeIncidencePlugin.self,
        ExecPlugin.self,
    ])
}

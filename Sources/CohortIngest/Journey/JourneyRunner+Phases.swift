import CohortPipeline
import Foundation
import Logging

extension JourneyRunner {
    /// A run's phases for the debug log: each phase's seconds (read and parse, derive, filter,
    /// analyses) and the process's peak RSS in MiB at its end. Durations and sizes only.
    static func phaseMetadata(_ phases: RunPhases, runID: String) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["run": "\(runID)"]
        for (name, phase) in [("read", phases.read), ("derive", phases.derive), ("filter", phases.filter), ("analyses", phases.analyses)] {
            metadata["\(name)_s"] = "\(String(format: "%.3f", phase.seconds))"
            metadata["\(name)_peak_rss_mib"] = "\(phase.peakResidentBytes >> 20)"
        }
        return metadata
    }
}

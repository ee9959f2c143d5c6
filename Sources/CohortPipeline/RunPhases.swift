import Foundation

/// How long each phase of a run took and the process's peak resident memory when it ended: for
/// the daemon's debug log and the command's progress line. Never written to results.json, whose
/// `seconds` keep their own two figures (read, analyses).
public struct RunPhases: Sendable, Equatable {
    /// One phase: its wall seconds and the process's peak RSS (bytes, `getrusage`'s `ru_maxrss`)
    /// at its end. The peak is the process's since it started, so a phase whose value is above
    /// the one before it raised the peak.
    public struct Phase: Sendable, Equatable {
        public var seconds: Double
        public var peakResidentBytes: Int

        public init(seconds: Double = 0, peakResidentBytes: Int = 0) {
            self.seconds = seconds
            self.peakResidentBytes = peakResidentBytes
        }

        /// A phase that started at `start` and ends now.
        static func since(_ start: ContinuousClock.Instant) -> Phase {
            Phase(seconds: PipelineRunner.seconds(ContinuousClock.now - start), peakResidentBytes: RunPhases.peakResidentBytes())
        }
    }

    /// Reading and parsing the declared columns (hashing included: it runs beside the parse).
    public var read = Phase()
    /// Derived variables.
    public var derive = Phase()
    /// The cohort steps (gathering the kept rows).
    public var filter = Phase()
    /// The analyses, all waves.
    public var analyses = Phase()

    public init() {}

    /// The process's peak resident set size so far, in bytes (0 when unknown).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
    }
}

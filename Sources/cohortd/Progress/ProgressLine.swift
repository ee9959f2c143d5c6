import CohortPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The progress of `cohortd analyze` on a terminal: one line on standard error, rewritten in
/// place (`\r`, then erase to the end of the line), at most ``minimumInterval`` apart, showing the
/// bytes read and the rate while the file is read, then the analysis tasks done; a line of its
/// own is kept for the read and for each analysis as it finishes, and for the total at the end.
///
/// Shows counts, sizes, seconds and the pipeline's analysis ids only: never a cell value or the
/// file's name. Made only for a terminal (``forStandardError(quiet:)``), so that output sent to a
/// file or a pipe has none of it.
final class ProgressLine: Sendable {
    /// Updates of the transient line come at least this far apart (at most 10 a second).
    static let minimumInterval: Duration = .milliseconds(100)

    private let descriptor: Int32
    private let state: Mutex<State>

    private struct State {
        var started = ContinuousClock.now
        var lastDraw: ContinuousClock.Instant?
        var bytes = 0
        var expectedBytes: Int?
        /// The transient line on screen now (empty when none).
        var shown = ""
    }

    /// Writes to `descriptor`, which the caller keeps open; used as it is (tests give a
    /// pseudo-terminal's or a pipe's).
    init(descriptor: Int32, expectedBytes: Int? = nil) {
        self.descriptor = descriptor
        var initial = State()
        initial.expectedBytes = expectedBytes
        state = Mutex(initial)
    }

    /// The progress line of standard error, or `nil` when `quiet` or standard error is not a
    /// terminal (`isatty(2)`).
    static func forStandardError(quiet: Bool, expectedBytes: Int?) -> ProgressLine? {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressLine(descriptor: STDERR_FILENO, expectedBytes: expectedBytes)
    }

    /// `count` more bytes were read.
    func read(_ count: Int) {
        state.withLock { s in
            s.bytes += count
            guard Self.due(&s) else { return }
            let seconds = ProgressFormat.seconds(since: s.started)
            var text = "reading: \(ProgressFormat.bytes(s.bytes))"
            if let expected = s.expectedBytes, expected > 0 {
                text += " of \(ProgressFormat.bytes(expected)) (\(min(100, s.bytes * 100 / expected)) %)"
            }
            text += ", \(ProgressFormat.rate(s.bytes, seconds))"
            show(text, in: &s)
        }
    }

    /// The file was read, derived and filtered: a line of its own with its bytes, rate, rows and
    /// cohort.
    func prepared(bytes: Int, seconds: Double, rows: Int?, cohort: Int?) {
        var text = "read \(ProgressFormat.bytes(bytes)) in \(ProgressFormat.seconds(seconds)) (\(ProgressFormat.rate(bytes, seconds)))"
        if let rows { text += ", \(ProgressFormat.count(rows)) rows" }
        if let cohort, cohort != rows { text += ", \(ProgressFormat.count(cohort)) in the cohort" }
        state.withLock { s in keep(text, in: &s) }
    }

    /// What the runner reports while the analyses go on.
    func analyses(_ event: RunProgress) {
        state.withLock { s in
            switch event {
            case .taskFinished(let done, let total):
                guard Self.due(&s) || done == total else { return }
                show("analysing: \(done) of \(total) tasks done", in: &s)
            case .analysisFinished(let id, let plugin, let seconds, let succeeded, let done, let total):
                let outcome = succeeded ? "" : " (failed)"
                keep(
                    "  [\(done)/\(total)] \(Terminal.safe(id)) (\(Terminal.safe(plugin))) \(ProgressFormat.seconds(seconds))\(outcome)",
                    in: &s)
            }
        }
    }

    /// The run is over: the total time, on a line of its own.
    func finished(analyses: Int, failed: Int) {
        state.withLock { s in
            let seconds = ProgressFormat.seconds(since: s.started)
            let failures = failed > 0 ? ", \(failed) failed" : ""
            keep("done: \(analyses) analyses\(failures) in \(ProgressFormat.seconds(seconds))", in: &s)
        }
    }

    /// Clears the transient line (before other output on standard error).
    func clear() {
        state.withLock { s in
            guard !s.shown.isEmpty else { return }
            write("\r\u{1B}[K")
            s.shown = ""
        }
    }

    /// Whether the transient line may be redrawn now (and if so, records the draw).
    private static func due(_ s: inout State) -> Bool {
        let now = ContinuousClock.now
        if let last = s.lastDraw, now - last < minimumInterval { return false }
        s.lastDraw = now
        return true
    }

    private func show(_ text: String, in s: inout State) {
        write("\r\u{1B}[K" + text)
        s.shown = text
    }

    private func keep(_ text: String, in s: inout State) {
        write("\r\u{1B}[K" + text + "\n")
        s.shown = ""
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { Glibc.write(descriptor, $0 + offset, buffer.count - offset) } ?? 0
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }  // a terminal gone: progress is not worth failing for
            offset += n
        }
    }
}

public import CohortData

/// Why a step of a file's journey failed: what the error file says (`kind`, `message`, and the
/// line and column for the data's own errors) and whether the step is worth retrying.
///
/// Deterministic errors are properties of the file (bad values, a symbolic link, no pipeline) and
/// fail it at once; transient ones (no space, I/O errors, a busy journal) are retried with
/// back-off from the step that failed, and never fail the file.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The daemon's own failure kinds (the data's errors carry their ``DataError/Code`` name).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A symbolic link, FIFO, socket or device (never opened or followed).
        case unsupportedFile = "unsupported_file"
        /// A regular file with more than one hard link (refused unless `accept_hard_links`).
        case hardLink = "hard_link"
        /// The file changed size or time between claim and the end of reading.
        case changedDuringRead = "changed_during_read"
        case unreadable
        /// Over `max_file_size`.
        case tooLarge = "too_large"
        /// Its estimated memory is more than the whole `memory_budget`.
        case tooLargeForMemory = "too_large_for_memory"
        case noPipeline = "no_pipeline"
        case ambiguousPipeline = "ambiguous_pipeline"
        /// The analysis crashed or hung the daemon on this file `maximumAttempts` times.
        case crashed
        /// A file-system or journal operation failed.
        case io
        /// The entry vanished or was replaced before it could be taken (not a failure of the file).
        case gone
    }

    /// The error file's `kind`: a ``Kind`` or a ``DataError/Code`` name.
    public var kind: String
    public var message: String
    public var line: Int?
    public var column: String?
    public var problems: [DataError.Problem]
    /// Worth retrying with back-off.
    public var isTransient: Bool
    /// The filesystem is out of space: new claims pause until a write succeeds again.
    public var isNoSpace: Bool

    public init(_ kind: Kind, _ message: String, transient: Bool = false, noSpace: Bool = false) {
        self.kind = kind.rawValue
        self.message = message
        line = nil
        column = nil
        problems = []
        isTransient = transient
        isNoSpace = noSpace
    }

    /// A data error (always deterministic).
    public init(_ error: DataError) {
        kind = error.code.name
        message = error.message
        line = error.line
        column = error.column
        problems = error.problems
        isTransient = false
        isNoSpace = false
    }

    /// A failed system call: transient or not by its errno.
    public init(_ error: SystemCallError, doing what: String) {
        self.init(.io, "\(what): \(error)", transient: error.isTransient, noSpace: error.isNoSpace)
    }

    /// What the journal, logs and `cohortd status` may show: kind, line and column, never a value.
    public var summary: String {
        var text = kind
        if let line { text += " at line \(line)" }
        if let column { text += ", column \(EscapedName.escape(Array(column.utf8)))" }
        return text
    }

    public var description: String { "\(kind): \(message)" }
}

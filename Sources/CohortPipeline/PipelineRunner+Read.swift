public import CohortData

/// An export read once by ``PipelineRunner/read(from:)``: its digest and size, and the cohort
/// prepared from it (read, derived, filtered) or the error that stopped it. The daemon checks the
/// digest for a duplicate before it spends time on the analyses (``PipelineRunner/run(_:info:)``).
public struct ReadInput: Sendable {
    /// SHA-256 of the bytes read, lowercase hex: the file's digest when ``complete``.
    public var sha256: String
    /// Bytes read.
    public var bytes: Int
    /// Whether the source was read to its end (false only when the source itself failed:
    /// `read_failed`, `changed_during_read`, `unreadable`; then the digest is of a prefix).
    public var complete: Bool
    /// Seconds spent reading, deriving and filtering.
    public var seconds: Double
    public var prepared: Result<PipelineRunner.Prepared, DataError>
    /// Read, derive and filter: seconds and peak memory (zero when the file could not be prepared).
    public var phases: RunPhases {
        if case .success(let value) = prepared { return value.phases }
        return RunPhases()
    }

    public init(sha256: String, bytes: Int, complete: Bool, seconds: Double, prepared: Result<PipelineRunner.Prepared, DataError>) {
        self.sha256 = sha256
        self.bytes = bytes
        self.complete = complete
        self.seconds = seconds
        self.prepared = prepared
    }

    /// The error of a file that could not be read or prepared.
    public var failure: DataError? {
        if case .failure(let error) = prepared { return error }
        return nil
    }
}

extension PipelineRunner {
    /// Reads `source` once, start to end: hashes the bytes as they arrive, parses them (see
    /// ``CSVReader``), derives and filters. Never throws: a file that cannot be read or parsed
    /// gives its ``DataError`` in `prepared` (with the whole file still hashed, unless the source
    /// itself failed).
    public func read(from source: inout some ByteSource) -> ReadInput {
        let clock = ContinuousClock()
        let start = clock.now
        var hasher = Digest.SHA256Stream()
        var complete = true
        let prepared: Result<Prepared, DataError>
        do {
            prepared = .success(try prepare(from: &source, observer: &hasher))
        } catch let error as DataError {
            complete = ![DataError.Code.readFailed, .changedDuringRead, .unreadable].contains(error.code)
            prepared = .failure(error)
        } catch {
            complete = false
            prepared = .failure(DataError(.unreadable, String(describing: error)))
        }
        return ReadInput(
            sha256: hasher.hex, bytes: hasher.count, complete: complete, seconds: Self.seconds(clock.now - start), prepared: prepared)
    }
}

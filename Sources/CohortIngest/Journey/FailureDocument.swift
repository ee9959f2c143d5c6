import CohortJSON

/// The error file written beside a failed input (`state/failed/<stored name>.error.json`),
/// contract `daemon.md`: `{"file", "run", "sha256", "pipeline", "error": {"kind", "message",
/// "line", "column", "problems"?}}`. It may quote the offending value (cut by the reader to 64
/// bytes, control characters escaped): it sits beside the input that holds it anyway.
struct FailureDocument: Sendable {
    var file: String
    var run: String
    var sha256: String?
    var pipeline: String?
    var error: IngestError

    var bytes: [UInt8] {
        var errorObject: [(key: String, value: JSONValue)] = [
            ("kind", .string(error.kind)), ("message", .string(error.message)),
            ("line", error.line.map { .number(Double($0)) } ?? .null),
            ("column", error.column.map { .string($0) } ?? .null),
        ]
        if !error.problems.isEmpty {
            errorObject.append(
                (
                    "problems",
                    .array(
                        error.problems.map { p in
                            .object([
                                ("line", .number(Double(p.line))), ("column", .string(p.column)), ("value", .string(p.value)),
                                ("reason", .string(p.reason)),
                            ])
                        })
                ))
        }
        let document: JSONValue = .object([
            ("file", .string(file)), ("run", .string(run)), ("sha256", sha256.map { .string($0) } ?? .null),
            ("pipeline", pipeline.map { .string($0) } ?? .null), ("error", .object(errorObject)),
        ])
        return Array((document.serialized() + "\n").utf8)
    }
}

/// Why the Word report could not be written: a stable code and a sentence for the reader
/// (never a cell value or a file name).
public struct DocxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `zip`: the in-memory ZIP archive could not be written.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

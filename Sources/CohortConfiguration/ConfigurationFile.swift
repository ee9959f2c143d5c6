import Foundation

/// Reads a configuration or pipeline file as text, within ``YAMLLimits/maximumBytes``: a larger
/// file (or a device or pipe that never ends) is refused after reading one byte past the limit.
public enum ConfigurationFile {
    /// The file's text.
    ///
    /// - Throws: ``ConfigurationError`` `unreadable` (cannot be opened or read, not UTF-8) or
    ///   `too_large`.
    public static func read(_ path: String, limits: YAMLLimits = .standard) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot open the file" : "no such file"
            throw ConfigurationError(.unreadable, reason, file: path)
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: limits.maximumBytes + 1) ?? Data() } catch {
            throw ConfigurationError(.unreadable, "cannot read the file (\(error.localizedDescription))", file: path)
        }
        guard data.count <= limits.maximumBytes else {
            throw ConfigurationError(
                .tooLarge, "the file is larger than \(YAMLLimits.describe(bytes: limits.maximumBytes)), the most that is read", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadable, "the file is not UTF-8 text", file: path)
        }
        return text
    }
}

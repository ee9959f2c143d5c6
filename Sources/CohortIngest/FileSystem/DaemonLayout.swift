import CFileSystem
public import CohortConfiguration
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's directories (contract `daemon.md`): the drop directory, its own state area
/// (processing, work, archive, failed) and the results, all on one filesystem so that every move
/// is an atomic rename.
public struct DaemonLayout: Sendable {
    public let drop: String
    public let state: String
    public let results: String
    public var processing: String { state + "/processing" }
    /// Run folders being written, renamed into `results` only when complete.
    public var work: String { state + "/work" }
    public var archive: String { state + "/archive" }
    public var failed: String { state + "/failed" }

    public init(_ configuration: DaemonConfiguration) {
        drop = Self.normalised(configuration.drop)
        state = Self.normalised(configuration.state)
        results = Self.normalised(configuration.results)
    }

    static func normalised(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Creates the directories (mode 0750) and checks that they share one filesystem.
    ///
    /// - Throws: ``DaemonError`` `directory` or `cross_device`.
    public func prepare() throws {
        for dir in [drop, state, results, processing, work, archive, failed] {
            do {
                try FileManager.default.createDirectory(
                    atPath: dir, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o750])
            } catch {
                throw DaemonError(.directory, "cannot create \(dir): \(error.localizedDescription)")
            }
        }
        let devices = try [drop, state, results].map { dir -> UInt64 in
            var info = stat()
            guard stat(dir, &info) == 0 else { throw DaemonError(.directory, "cannot stat \(dir) (errno \(errno))") }
            return UInt64(info.st_dev)
        }
        guard Set(devices).count == 1 else {
            throw DaemonError(
                .crossDevice, "drop (\(drop)), state (\(state)) and results (\(results)) must be on one filesystem, so that files move by rename")
        }
    }
}

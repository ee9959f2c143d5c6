import Foundation

/// Admission of files by their estimated memory: a file runs only when its estimate fits in what
/// the running files leave of the budget, so that two large files never run at once past it.
/// A file whose estimate exceeds the whole budget can never run and is failed
/// (`too_large_for_memory`).
///
/// Rules: `reserved` never exceeds `total` (except a lone file admitted when nothing else runs
/// is never refused below `total`); waiters are admitted in arrival order as room frees up.
public struct MemoryBudget: Sendable, Hashable {
    public let total: Int64
    public private(set) var reserved: Int64 = 0

    public init(total: Int64) { self.total = max(1, total) }

    /// Whether `bytes` can ever be admitted.
    public func canEverFit(_ bytes: Int64) -> Bool { bytes <= total }

    /// Reserves `bytes` if they fit now.
    public mutating func reserve(_ bytes: Int64) -> Bool {
        guard reserved + bytes <= total else { return false }
        reserved += bytes
        return true
    }

    public mutating func release(_ bytes: Int64) { reserved = max(0, reserved - bytes) }

    /// The default budget: 85 % of the cgroup's `memory.max` when it is set (cgroup v2; the rest
    /// is the daemon's own baseline and SQLite's cache), else 3 GiB.
    public static func automatic(cgroupFile: String = "/proc/self/cgroup", root: String = "/sys/fs/cgroup") -> Int64 {
        let fallback: Int64 = 3 << 30
        guard let text = try? String(contentsOfFile: cgroupFile, encoding: .utf8) else { return fallback }
        // cgroup v2: one line "0::/path".
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return fallback }
        let path = String(line.dropFirst(3))
        guard let limit = try? String(contentsOfFile: root + path + "/memory.max", encoding: .utf8) else { return fallback }
        let trimmed = limit.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Int64(trimmed), bytes > 0 else { return fallback }
        return bytes / 100 * 85
    }
}

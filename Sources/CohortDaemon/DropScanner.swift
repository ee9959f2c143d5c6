import CFileSystem
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An entry found in the drop directory.
public struct DropEntry: Sendable, Hashable {
    /// Path below the drop directory ("rps/pm_1.csv").
    public var relativePath: String
    /// Full path.
    public var path: String
    /// `nil` for a regular file; otherwise what it is ("symbolic link", "FIFO", …): never opened.
    public var unsupportedKind: String?
    public var size: Int64
}

/// Lists the drop directory (recursively, never following links) and decides which files are
/// complete: ignored names are skipped; a file is taken once its size and modification time have
/// not changed for `settle` seconds (at once when it was last modified longer ago than that, as a
/// file renamed into the drop directory after being written is). Just before taking a file, the
/// daemon also asks whether a process still has it open for writing where Linux can tell (see
/// ``isOpenForWriting(_:)``) and, if so, holds it back (``holdBack(_:now:)``).
public final class DropScanner: @unchecked Sendable {
    let root: String
    let settle: Double
    private var signatures: [String: (size: Int64, mtime: Int64, since: Date)] = [:]

    public init(root: String, settle: Double) {
        self.root = root
        self.settle = settle
    }

    /// Names a producer uses while writing: hidden, `.tmp`, `.part`, `.partial`, `~`.
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part") || name.hasSuffix(".partial")
            || name.hasSuffix("~") || name.hasSuffix(".filepart")
    }

    /// Files seen that have not settled yet (the caller should look again within `settle`).
    public private(set) var pendingCount = 0
    /// Files known to be complete on arrival (renamed in), until taken or gone.
    private var immediate: Set<String> = []

    /// Entries ready to be taken now. Paths in `arrivedByRename` (reported by inotify's
    /// IN_MOVED_TO) are complete and taken without waiting.
    public func scan(now: Date = Date(), arrivedByRename: Set<String> = []) -> [DropEntry] {
        var ready: [DropEntry] = []
        var present = Set<String>()
        immediate.formUnion(arrivedByRename)
        pendingCount = 0
        walk(root, relative: "", into: &ready, present: &present, now: now)
        signatures = signatures.filter { present.contains($0.key) }
        immediate = immediate.filter { present.contains($0) }
        return ready.sorted { $0.relativePath < $1.relativePath }
    }

    private func walk(_ dir: String, relative: String, into ready: inout [DropEntry], present: inout Set<String>, now: Date) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() where !Self.isIgnored(name) {
            let path = dir + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR {
                walk(path, relative: rel, into: &ready, present: &present, now: now)
                continue
            }
            guard type == S_IFREG else {
                let kind = type == S_IFLNK ? "symbolic link" : (type == S_IFIFO ? "FIFO" : (type == S_IFSOCK ? "socket" : "device"))
                ready.append(DropEntry(relativePath: rel, path: path, unsupportedKind: kind, size: 0))
                continue
            }
            present.insert(rel)
            let size = Int64(info.st_size)
            let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9)
            let settled: Bool
            if immediate.contains(rel) {
                settled = true
            } else if let known = signatures[rel], known.size == size, known.mtime == mtime {
                settled = now.timeIntervalSince(known.since) >= settle
            } else {
                signatures[rel] = (size, mtime, now)
                settled = now.timeIntervalSince(modified) >= settle
            }
            if settled {
                ready.append(DropEntry(relativePath: rel, path: path, size: size))
            } else {
                pendingCount += 1
            }
        }
    }

    /// Entries for files reported renamed into the drop directory (complete on arrival), without
    /// walking the tree: what a scan would return for them.
    public func arrived(_ paths: Set<String>) -> [DropEntry] {
        immediate.formUnion(paths)
        var entries: [DropEntry] = []
        for rel in paths.sorted() where !rel.split(separator: "/").contains(where: { Self.isIgnored(String($0)) }) {
            let path = root + "/" + rel
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            if type == S_IFDIR { continue }
            guard type == S_IFREG else {
                let kind = type == S_IFLNK ? "symbolic link" : (type == S_IFIFO ? "FIFO" : (type == S_IFSOCK ? "socket" : "device"))
                entries.append(DropEntry(relativePath: rel, path: path, unsupportedKind: kind, size: 0))
                continue
            }
            entries.append(DropEntry(relativePath: rel, path: path, size: Int64(info.st_size)))
        }
        return entries
    }

    /// A file that looked complete but is still open for writing: it waits `settle` seconds
    /// more (and is no longer taken as complete on arrival).
    public func holdBack(_ relativePath: String, now: Date = Date()) {
        immediate.remove(relativePath)
        var info = stat()
        guard lstat(root + "/" + relativePath, &info) == 0 else { return }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        signatures[relativePath] = (Int64(info.st_size), mtime, now)
    }

    /// Whether a process has the file open for writing, where that can be told (see
    /// `cfs_open_for_writing`: the daemon must own the file or hold CAP_LEASE, on a local
    /// filesystem); `false` when it cannot be told, leaving the decision to the settle time.
    public static func isOpenForWriting(_ path: String) -> Bool {
        cfs_open_for_writing(path) == 1
    }

    /// Forgets an entry once it has been taken.
    public func forget(_ relativePath: String) {
        signatures[relativePath] = nil
        immediate.remove(relativePath)
    }
}

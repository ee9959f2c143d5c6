import Foundation

/// The daemon's configuration file (contract `daemon.md`, version 2). Relative paths resolve
/// against the directory of the file itself.
public struct DaemonConfiguration: Sendable, Hashable {
    public enum Duplicates: String, Sendable, Hashable, CaseIterable { case skip, reprocess }
    public enum LogLevel: String, Sendable, Hashable, CaseIterable { case trace, debug, info, notice, warning, error, critical }

    /// `memory_budget:` — how much memory the analyses in work may take together.
    public enum MemoryBudget: Sendable, Hashable {
        /// The cgroup's `memory.max` when it is set, else 3 GiB (the daemon resolves it at start).
        case auto
        /// A fixed budget in bytes.
        case bytes(Int64)
    }

    public var drop: String
    public var state: String
    public var results: String
    /// Path of the SQLite store.
    public var store: String
    /// Directory of pipeline files (`*.yaml`).
    public var pipelines: String
    public var settle: Double
    public var rescan: Double
    public var workers: Int
    public var maxFileSize: Int64
    public var duplicates: Duplicates
    public var logLevel: LogLevel
    /// `accept_hard_links:` — `false` (default): a regular file with more than one link is failed
    /// (`hard_link`), since a producer could link a file it may not read into the drop directory.
    public var acceptHardLinks: Bool
    /// `memory_budget:` (default ``MemoryBudget/auto``).
    public var memoryBudget: MemoryBudget
    public var file: String

    /// The longest `settle` and `rescan` accepted, in seconds (one day).
    public static let maximumSeconds: Double = 86_400
    /// The most `workers` accepted.
    public static let maximumWorkers = 1_024
    /// The smallest `memory_budget` accepted (a smaller one is surely a unit left out: `3` for `3GiB`).
    public static let minimumMemoryBudget: Int64 = 64 << 20

    static let keys = [
        "drop", "state", "results", "store", "pipelines", "settle", "rescan", "workers", "max_file_size",
        "duplicates", "log_level", "accept_hard_links", "memory_budget",
    ]

    /// Reads and decodes the configuration file at `path` (at most ``YAMLLimits/maximumBytes``);
    /// relative paths resolve against its directory.
    public init(contentsOf path: String) throws {
        let text = try ConfigurationFile.read(path)
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        try self.init(yaml: text, file: path, directory: directory)
    }

    /// Decodes the configuration; `directory` is the file's directory.
    public init(yaml text: String, file: String, directory: String) throws {
        let root = try YAMLParser.parse(text, file: file)
        let m = try root.mapping(allowing: Self.keys)
        var nodes: [String: YAMLNode] = [:]
        func path(_ key: String, _ node: YAMLNode) throws -> String {
            let p = try node.string()
            guard !p.trimmingCharacters(in: .whitespaces).isEmpty else { throw node.error(.invalidValue, "\(key) cannot be an empty path") }
            guard !p.utf8.contains(0) else { throw node.error(.invalidValue, "\(key) cannot hold a NUL character") }
            nodes[key] = node
            return p.hasPrefix("/") ? p : directory + "/" + p
        }
        self.file = file
        drop = try path("drop", m.required("drop"))
        state = try path("state", m.required("state"))
        results = try path("results", m.required("results"))
        if let s = m["store"] {
            store = try path("store", s.mapping(allowing: ["sqlite"]).required("sqlite"))
        } else {
            store = state + "/cohortd.sqlite"
        }
        pipelines = try m["pipelines"].map { try path("pipelines", $0) } ?? directory + "/pipelines.d"
        try Self.checkSeparate(drop: drop, state: state, results: results, nodes: nodes)
        try Self.checkOutsideDrop(drop: drop, paths: [("store", store), ("pipelines", pipelines)], nodes: nodes)
        func seconds(_ key: String, _ fallback: Double, zero: Bool) throws -> Double {
            guard let node = m[key] else { return fallback }
            let v = try node.double()
            guard zero ? v >= 0 : v > 0 else {
                throw node.error(
                    .invalidValue, "\(key) must be \(zero ? "0 or more" : "more than 0") seconds, not \(ShownText.cut(try node.string()))")
            }
            guard v <= Self.maximumSeconds else {
                throw node.error(.invalidValue, "\(key) must be at most \(Int(Self.maximumSeconds)) seconds (one day)")
            }
            return v
        }
        settle = try seconds("settle", 2, zero: true)
        rescan = try seconds("rescan", 30, zero: false)
        workers = try m["workers"]?.int() ?? 2
        if let node = m["workers"], !(1...Self.maximumWorkers).contains(workers) {
            throw node.error(.invalidValue, "workers must be from 1 to \(Self.maximumWorkers), not \(workers)")
        }
        if let node = m["max_file_size"] {
            maxFileSize = try Self.size(node, key: "max_file_size", minimum: 1)
        } else {
            maxFileSize = 2 << 30
        }
        duplicates = try m["duplicates"]?.choice(Duplicates.self) ?? .skip
        logLevel = try m["log_level"]?.choice(LogLevel.self) ?? .info
        acceptHardLinks = try m["accept_hard_links"]?.bool() ?? false
        if let node = m["memory_budget"], try node.string().trimmingCharacters(in: .whitespaces).lowercased() != "auto" {
            memoryBudget = .bytes(try Self.size(node, key: "memory_budget", minimum: Self.minimumMemoryBudget, auto: true))
        } else {
            memoryBudget = .auto
        }
    }

    /// A size key's value: "2GiB", "500MB", "1048576", at least `minimum` bytes.
    static func size(_ node: YAMLNode, key: String, minimum: Int64, auto: Bool = false) throws -> Int64 {
        let text = try node.string()
        guard let size = byteSize(text) else {
            throw node.error(
                .invalidValue,
                "\(key) must be \(auto ? "auto or " : "")a size such as 2GiB, 500MB or 1048576, not \"\(ShownText.cut(text))\"")
        }
        guard size >= minimum else {
            throw node.error(.invalidValue, minimum == 1 ? "\(key) must be more than 0" : "\(key) must be at least \(minimum >> 20)MiB")
        }
        return size
    }

    /// Parses "2GiB", "500MB", "64k", "1048576"; `nil` for anything else, or a size past 2^63 bytes.
    public static func byteSize(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let digits = t.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard let value = Double(digits), value >= 0, value.isFinite else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let factors: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1_048_576, "mb": 1e6, "mib": Double(1 << 20),
            "g": Double(1 << 30), "gb": 1e9, "gib": Double(1 << 30), "t": Double(1 << 40), "tb": 1e12, "tib": Double(1 << 40),
        ]
        guard let factor = factors[unit] else { return nil }
        let bytes = (value * factor).rounded(.down)
        // Int64(exactly:) of 2^63 and beyond is nil (Int64(_:) would trap).
        guard bytes < 0x1p63 else { return nil }
        return Int64(bytes)
    }

    /// The store and the pipelines directory are not in the drop tree: a producer could replace
    /// them there, and the daemon would take them as input.
    static func checkOutsideDrop(drop: String, paths: [(key: String, path: String)], nodes: [String: YAMLNode]) throws {
        let dropPath = normalized(drop)
        for (key, path) in paths {
            let p = normalized(path)
            guard let node = nodes[key], p == dropPath || p.hasPrefix(dropPath + "/") else { continue }
            throw node.error(.invalidValue, "\(key) is inside drop; producers may write there, and files there are taken as input")
        }
    }

    /// `path` without `.` components, repeated or trailing slashes, and with `..` taken lexically,
    /// for comparing the configured directories (symbolic links are not followed here).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Drop, state and results are three separate trees: the drop directory is watched with its
    /// subdirectories, so state or results inside it would be taken as input, and the drop
    /// directory inside either would have inputs read as the daemon's own files.
    static func checkSeparate(drop: String, state: String, results: String, nodes: [String: YAMLNode]) throws {
        let named = [("drop", normalized(drop)), ("state", normalized(state)), ("results", normalized(results))]
        for (k, (key, path)) in named.enumerated() {
            for (otherKey, other) in named[(k + 1)...] {
                guard let node = nodes[otherKey] else { continue }
                if path == other {
                    throw node.error(.invalidValue, "\(otherKey) and \(key) are the same directory (\(ShownText.cut(path)))")
                }
                if other.hasPrefix(path + "/") || path.hasPrefix(other + "/") {
                    let (inner, outer) = other.hasPrefix(path + "/") ? (otherKey, key) : (key, otherKey)
                    throw node.error(.invalidValue, "\(inner) is inside \(outer); drop, state and results must be separate directories")
                }
            }
        }
    }
}

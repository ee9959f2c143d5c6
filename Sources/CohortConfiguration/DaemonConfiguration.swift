/// The daemon's configuration file (contract `daemon.md`, version 1). Relative paths resolve
/// against the directory of the file itself.
public struct DaemonConfiguration: Sendable, Hashable {
    public enum Duplicates: String, Sendable, Hashable, CaseIterable { case skip, reprocess }
    public enum LogLevel: String, Sendable, Hashable, CaseIterable { case trace, debug, info, notice, warning, error, critical }

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
    public var file: String

    static let keys = [
        "drop", "state", "results", "store", "pipelines", "settle", "rescan", "workers", "max_file_size",
        "duplicates", "log_level",
    ]

    /// Decodes the configuration; `directory` is the file's directory.
    public init(yaml text: String, file: String, directory: String) throws {
        let root = try YAMLParser.parse(text, file: file)
        let m = try root.mapping(allowing: Self.keys)
        func path(_ node: YAMLNode) throws -> String {
            let p = try node.string()
            guard !p.isEmpty else { throw node.error(.invalidValue, "a path cannot be empty") }
            return p.hasPrefix("/") ? p : directory + "/" + p
        }
        self.file = file
        drop = try path(m.required("drop"))
        state = try path(m.required("state"))
        results = try path(m.required("results"))
        if let s = m["store"] {
            store = try path(s.mapping(allowing: ["sqlite"]).required("sqlite"))
        } else {
            store = state + "/cohortd.sqlite"
        }
        pipelines = try m["pipelines"].map(path) ?? directory + "/pipelines.d"
        func positive(_ key: String, _ fallback: Double) throws -> Double {
            guard let node = m[key] else { return fallback }
            let v = try node.double()
            guard v >= 0 else { throw node.error(.invalidValue, "\(key) must be 0 or more seconds") }
            return v
        }
        settle = try positive("settle", 2)
        rescan = try positive("rescan", 30)
        workers = try m["workers"]?.int() ?? 2
        if workers < 1, let node = m["workers"] { throw node.error(.invalidValue, "workers must be at least 1") }
        if let node = m["max_file_size"] {
            guard let size = Self.byteSize(try node.string()) else {
                throw node.error(.invalidValue, "max_file_size must be a size such as 2GiB, 500MB or 1048576")
            }
            maxFileSize = size
        } else {
            maxFileSize = 2 << 30
        }
        duplicates = try m["duplicates"]?.choice(Duplicates.self) ?? .skip
        logLevel = try m["log_level"]?.choice(LogLevel.self) ?? .info
    }

    /// Parses "2GiB", "500MB", "64k", "1048576".
    public static func byteSize(_ text: String) -> Int64? {
        let t = text.trimmingCharacters()
        let digits = t.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(digits), value >= 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters().lowercased()
        let factors: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1_048_576, "mb": 1e6, "mib": Double(1 << 20),
            "g": Double(1 << 30), "gb": 1e9, "gib": Double(1 << 30), "t": Double(1 << 40), "tb": 1e12, "tib": Double(1 << 40),
        ]
        guard let factor = factors[unit] else { return nil }
        return Int64(value * factor)
    }
}

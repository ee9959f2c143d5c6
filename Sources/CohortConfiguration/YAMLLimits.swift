/// Bounds on a configuration document, applied while libyaml parses it: a document past one is
/// refused at the event that crosses it, before the tree is built, so a hostile file costs time and
/// memory in proportion to the limit, never to its own size or depth.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest file read, in bytes (default 1 MiB: a large pipeline is about 10 KB).
    public var maximumBytes: Int
    /// Deepest nesting of lists and mappings (default 64; a pipeline nests at most about 8).
    public var maximumDepth: Int
    /// Most nodes a document may have, aliases counted at their expanded size (default 500,000:
    /// more than a 1 MiB file can hold without aliases, so only an alias bomb meets it).
    public var maximumNodes: Int

    public init(maximumBytes: Int = 1 << 20, maximumDepth: Int = 64, maximumNodes: Int = 500_000) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumNodes = maximumNodes
    }

    /// The limits pipelines and the daemon configuration are read with.
    public static let standard = YAMLLimits()

    /// "1 MiB", "64 KiB", "1000 bytes".
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}

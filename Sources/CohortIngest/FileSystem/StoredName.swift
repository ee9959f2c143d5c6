import CohortPipeline
import Foundation
public import SystemPackage

/// The name a taken file has under `state/processing`, `state/archive/<day>` and `state/failed`:
/// `<run-id>--<original base name>`, as bytes.
///
/// A file name may be up to NAME_MAX (255) bytes, so the prefix could push a long name past it.
/// Such names are shortened: the base name is cut (on a UTF-8 boundary where it is UTF-8) and a
/// `~` plus the first 8 hex digits of the SHA-256 of the whole original name goes before its
/// extension, so that two long names sharing a prefix stay distinct. The original name is kept in
/// the journal and in the error file.
public struct StoredName: Sendable, Hashable, CustomStringConvertible {
    /// The name's bytes (no `/`, no NUL, at most ``maximumLength``).
    public let bytes: [UInt8]

    /// NAME_MAX on Linux filesystems.
    public static let maximumLength = 255
    /// Bytes kept free for the `.error.json` suffix of the error file beside a failed input.
    static let suffixReserve = 11

    /// The stored name of the drop entry `relativePath` taken as run `runID`.
    public init(runID: String, relativePath: FilePath) {
        let base = relativePath.lastComponent.map { EscapedName.bytes(of: FilePath(root: nil, [$0])) } ?? Array("unnamed".utf8)
        let prefix = Array("\(runID)--".utf8)
        let room = Self.maximumLength - Self.suffixReserve - prefix.count
        if base.count <= room {
            bytes = prefix + base
            return
        }
        let digest = Digest.sha256(base).prefix(8)
        let tag = Array("~\(digest)".utf8)
        // Keep a short extension (".csv") so the shortened name still says what it is.
        var ext: [UInt8] = []
        if let dot = base.lastIndex(of: UInt8(ascii: ".")), base.count - dot <= 16, dot > 0 { ext = Array(base[dot...]) }
        var keep = room - tag.count - ext.count
        // Do not cut inside a UTF-8 sequence.
        while keep > 0 && keep < base.count && base[keep] & 0xC0 == 0x80 { keep -= 1 }
        bytes = prefix + base[..<max(0, keep)] + tag + ext
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The stored name of a file found on disk (e.g. in `state/processing`).
    public init?(existing component: FilePath.Component) {
        let b = EscapedName.bytes(of: FilePath(root: nil, [component]))
        guard !b.isEmpty, b.count <= Self.maximumLength else { return nil }
        bytes = b
    }

    /// The run id the name starts with (`<run-id>--…`), if it has that form.
    public var runID: String? {
        guard let dashes = (0..<max(0, bytes.count - 1)).first(where: { bytes[$0] == UInt8(ascii: "-") && bytes[$0 + 1] == UInt8(ascii: "-") })
        else { return nil }
        return String(decoding: bytes[..<dashes], as: UTF8.self)
    }

    /// The name as one path component.
    public var component: FilePath.Component {
        // A stored name has no "/" and no NUL, and is not "." or "..": always a valid component.
        FilePath(platformString: bytes.map { CChar(bitPattern: $0) } + [0]).lastComponent ?? "unnamed"
    }

    /// The name of the error file beside a failed input.
    public var errorFileName: StoredName { StoredName(bytes: bytes + Array(".error.json".utf8)) }

    /// The escaped text of the name, safe to print.
    public var description: String { EscapedName.escape(bytes) }
}

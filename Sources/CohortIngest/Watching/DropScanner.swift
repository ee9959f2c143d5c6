/// Decides which listed drop entries are complete, from their identities over time.
///
/// Rules (checked by `DropScannerTests`):
/// 1. An entry reported renamed into the drop directory (inotify's IN_MOVED_TO) is complete at once.
/// 2. Another regular file is complete once its (size, modification time, status-change time, inode)
///    has stayed the same for `settle` seconds of the clock, or at once when it was last modified
///    longer ago than `settle` (a file moved in from elsewhere on the same filesystem).
/// 3. Links, FIFOs, sockets and devices are "complete" at once: they are taken only to be failed,
///    never opened.
/// 4. An entry that is held back (still open for writing) waits `settle` seconds more and loses
///    its renamed-in status.
/// 5. Entries no longer listed are forgotten.
public struct DropScanner: Sendable {
    public let settle: Double
    private var seen: [String: (signature: Signature, since: Duration)] = [:]
    private var immediate: Set<String> = []
    /// Entries listed that have not settled yet (look again within `settle`).
    public private(set) var pendingCount = 0

    struct Signature: Hashable {
        var size: Int64
        var modified: Int64
        var changed: Int64
        var inode: UInt64

        init(_ identity: FileIdentity) {
            size = identity.size
            modified = identity.modified
            changed = identity.changed
            inode = identity.inode
        }
    }

    public init(settle: Double) { self.settle = settle }

    /// Marks paths (entry keys) as renamed in: complete on arrival.
    public mutating func arrivedByRename(_ keys: some Sequence<String>) { immediate.formUnion(keys) }

    /// The entries of a full listing that are ready now. `now` is the clock's time, `wallNow` the
    /// wall-clock time in nanoseconds since the epoch (to compare with modification times).
    public mutating func ready(_ listing: [DropEntry], now: Duration, wallNow: Int64) -> [DropEntry] {
        let ready = evaluate(listing, now: now, wallNow: wallNow)
        let present = Set(listing.map(\.key))
        seen = seen.filter { present.contains($0.key) }
        immediate = immediate.filter { present.contains($0) }
        return ready
    }

    /// The entries among `entries` (a partial listing: just arrived) that are ready now; others
    /// are not forgotten.
    public mutating func readyAmong(_ entries: [DropEntry], now: Duration, wallNow: Int64) -> [DropEntry] {
        evaluate(entries, now: now, wallNow: wallNow, counting: false)
    }

    private mutating func evaluate(_ listing: [DropEntry], now: Duration, wallNow: Int64, counting: Bool = true) -> [DropEntry] {
        var ready: [DropEntry] = []
        if counting { pendingCount = 0 }
        let settleDuration = Duration.nanoseconds(Int64(settle * 1e9))
        for entry in listing {
            guard entry.identity.kind == .regular else {
                ready.append(entry)
                continue
            }
            let key = entry.key
            let signature = Signature(entry.identity)
            let settled: Bool
            if immediate.contains(key) {
                settled = true
            } else if let known = seen[key], known.signature == signature {
                settled = now - known.since >= settleDuration
            } else {
                seen[key] = (signature, now)
                settled = Double(wallNow - entry.identity.modified) / 1e9 >= settle
            }
            if settled {
                ready.append(entry)
            } else if counting {
                pendingCount += 1
            }
        }
        return ready
    }

    /// An entry that looked complete but is still open for writing: it waits `settle` more.
    public mutating func holdBack(_ entry: DropEntry, now: Duration) {
        immediate.remove(entry.key)
        seen[entry.key] = (Signature(entry.identity), now)
    }

    /// Forgets an entry once it is taken.
    public mutating func forget(_ key: String) {
        seen[key] = nil
        immediate.remove(key)
    }
}

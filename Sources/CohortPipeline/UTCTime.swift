import CohortData
public import Foundation

/// A moment's UTC calendar fields, to the millisecond, formatted without Foundation's date
/// formatters (ICU formatters are costly to create, and a daemon run stamps several times).
public struct UTCTime: Sendable, Hashable {
    /// Days since 1970-01-01.
    public let days: Int64
    /// Milliseconds since midnight.
    public let millisecondOfDay: Int64

    public init(_ date: Date) {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (q, r) = ms.quotientAndRemainder(dividingBy: 86_400_000)
        days = r < 0 ? q - 1 : q
        millisecondOfDay = r < 0 ? r + 86_400_000 : r
    }

    /// `yyyy-MM-dd`.
    public var date: String { CivilDate.iso(Int32(clamping: days)) }

    /// `HH`, `mm`, `ss` and `SSS`, zero-padded.
    private var clock: (hour: String, minute: String, second: String, millisecond: String) {
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let t = millisecondOfDay
        return (pad(t / 3_600_000, 2), pad(t / 60_000 % 60, 2), pad(t / 1000 % 60, 2), pad(t % 1000, 3))
    }

    /// ISO 8601 with milliseconds: `2026-11-27T02:22:43.824Z`.
    public var iso8601: String {
        let c = clock
        return "\(date)T\(c.hour):\(c.minute):\(c.second).\(c.millisecond)Z"
    }

    /// Compact, sortable: `20261127T022243824Z`.
    public var compact: String {
        let c = clock
        return "\(date.replacingOccurrences(of: "-", with: ""))T\(c.hour)\(c.minute)\(c.second)\(c.millisecond)Z"
    }
}

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

    /// Parses ``iso8601`` (`2026-11-27T02:22:43.824Z`); `nil` for any other text.
    public init?(iso8601 text: String) {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x2E, b[23] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19), let ms = number(20..<23), h < 24, mi < 60, s < 60,
            let day = CivilDate.days(year: y, month: mo, day: d)
        else { return nil }
        days = Int64(day)
        millisecondOfDay = Int64(((h * 60 + mi) * 60 + s) * 1000 + ms)
    }

    /// The moment as a `Date`.
    public var instant: Date { Date(timeIntervalSince1970: Double(days * 86_400_000 + millisecondOfDay) / 1000) }

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

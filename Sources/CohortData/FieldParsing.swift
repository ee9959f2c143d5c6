/// Parsers from a field's bytes to typed values, without creating strings on the fast paths.
enum FieldParsing {
    /// 10⁰ … 10²², every one an exact double. Written as literals so that the compiler lays the
    /// array out statically: read without the lazy initialisation check (`swift_once`) that a
    /// computed global costs on every field.
    private static let powersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
        1e21, 1e22,
    ]

    /// The commonest case of all, without a loop (no branch but the early `nil`s): 1 to 8 bytes
    /// that are digits with at most one `mark` among them (none when `integral`), read as one word (8
    /// readable bytes at `start`). `nil` for anything else (a sign, a longer field, another byte),
    /// which then goes to the general parsers. The value is that of
    /// ``plainDecimal(_:count:mark:)``: the same mantissa divided by the same exact power of ten.
    ///
    /// The digits are gathered into one word without the mark, shifted so that they end at its
    /// top byte (zeros before them do not change the value), and combined pairwise by the
    /// well-known multiplications (two digits, then four, then eight).
    ///
    /// Transparent: the decoding loop called it once a field under `@inline(__always)`, measured.
    @_transparent
    static func shortDecimal(_ start: UnsafePointer<UInt8>, count n: Int, markWord: UInt64, integral: Bool = false) -> Double? {
        guard n &- 1 < 8 && n > 0 else { return nil }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let fieldMask = n == 8 ? ~UInt64(0) : (UInt64(1) << UInt64(8 &* n)) &- 1
        let word = UnsafeRawPointer(start).loadUnaligned(as: UInt64.self) & fieldMask
        // The mark's byte: its high bit, where the field has one.
        let marks = ChunkParser.zeroBytes(word ^ markWord) & fieldMask & (ones &* 0x80)
        guard marks & (marks &- 1) == 0 && !(integral && marks != 0) else { return nil }
        // Bytes before the mark stay, bytes after it move down one: the digits without the mark.
        let position = marks == 0 ? n : marks.trailingZeroBitCount >> 3
        let below = position == 8 ? ~UInt64(0) : (UInt64(1) << UInt64(8 &* position)) &- 1
        let digits = marks == 0 ? n : n &- 1
        guard digits > 0 else { return nil }
        let joined = (word & below) | ((word >> 8) & ~below)
        let digitMask = digits == 8 ? ~UInt64(0) : (UInt64(1) << UInt64(8 &* digits)) &- 1
        // Every byte '0'...'9': its high nibble is 3, and still 3 after adding 6 (a carry out of
        // a byte above '9' can only fail the test of the next one).
        let padded = joined | (~digitMask & (ones &* 0x30))
        let high = ones &* 0xF0
        guard padded & high == ones &* 0x30 && (padded &+ ones &* 0x06) & high == ones &* 0x30 else { return nil }
        var v = (joined ^ (digitMask & (ones &* 0x30))) << UInt64(8 &* (8 &- digits))
        v = (v &* 10) &+ (v >> 8)
        let pairs: UInt64 = 0x0000_00FF_0000_00FF
        v = ((v & pairs) &* (100 &+ (1_000_000 << 32)) &+ ((v >> 16) & pairs) &* (1 &+ (10_000 << 32))) >> 32
        let fraction = marks == 0 ? 0 : n &- 1 &- position
        return fraction == 0 ? Double(v) : Double(v) / powersOfTen[fraction]
    }

    /// The common case of ``number(_:decimalComma:)``, fast: `[-]digits[mark digits]` with at most
    /// 18 digits and no spaces or exponent. The mantissa and the power of ten (≤ 10¹⁸) are exact
    /// doubles, so the one division is correctly rounded (Clinger's fast path), giving the same
    /// double as the general parser. `nil` sends the field to the general parser.
    @inline(__always)
    static func plainDecimal(_ start: UnsafePointer<UInt8>, count: Int, mark: UInt8) -> Double? {
        guard count > 0 && count <= 19 else { return nil }
        var i = 0
        let negative = start[0] == 0x2D
        if negative { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var sawMark = false
        while i < count {
            let c = start[i]
            let d = c &- 0x30
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                if sawMark { fraction += 1 }
            } else if c == mark && !sawMark {
                sawMark = true
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0 && mantissa < 1 << 53 else { return nil }
        let value = fraction == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fraction]
        return negative ? -value : value
    }

    /// The largest magnitude an integer column holds: 2^53, beyond which doubles skip integers.
    static let integerLimit: UInt64 = 1 << 53

    /// An integer column's value: `[+-]digits`, optionally followed by the decimal mark and only
    /// zeros (`3.0`, as pandas writes an integer column that has missing values), spaces and tabs
    /// around it ignored, magnitude at most 2^53. No exponent (`1e3`), no fraction (`3.5`).
    @inline(__always)
    static func integer(_ start: UnsafePointer<UInt8>, count: Int, mark: UInt8) -> Double? {
        var i = 0
        var end = count
        while i < end && (start[i] == 0x20 || start[i] == 0x09) { i += 1 }
        while end > i && (start[end - 1] == 0x20 || start[end - 1] == 0x09) { end -= 1 }
        guard i < end else { return nil }
        var negative = false
        if start[i] == 0x2D || start[i] == 0x2B {
            negative = start[i] == 0x2D
            i += 1
        }
        var value: UInt64 = 0
        var digits = 0
        while i < end {
            let d = start[i] &- 0x30
            guard d < 10 else { break }
            value = value &* 10 &+ UInt64(d)
            digits += 1
            // Past 2^53 (16 digits) it can only grow: stop before it can overflow.
            if value > integerLimit { return nil }
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < end {
            guard start[i] == mark else { return nil }
            i += 1
            var zeros = 0
            while i < end && start[i] == 0x30 {
                zeros += 1
                i += 1
            }
            guard zeros > 0 && i == end else { return nil }
        }
        let v = Double(value)
        return negative && value != 0 ? -v : v
    }

    /// A decimal number: `[+-]digits[.digits][e[+-]digits]`, with ',' as the decimal mark when
    /// `decimalComma`. Correctly rounded (Clinger's fast path, else the standard library).
    static func number(_ field: UnsafeBufferPointer<UInt8>, decimalComma: Bool) -> Double? {
        var i = 0
        let n = field.count
        // Trim spaces.
        var end = n
        while i < end && (field[i] == 0x20 || field[i] == 0x09) { i += 1 }
        while end > i && (field[end - 1] == 0x20 || field[end - 1] == 0x09) { end -= 1 }
        guard i < end else { return nil }
        let start = i
        var negative = false
        if field[i] == 0x2D || field[i] == 0x2B {
            negative = field[i] == 0x2D
            i += 1
        }
        let mark: UInt8 = decimalComma ? 0x2C : 0x2E
        var mantissa: UInt64 = 0
        var digits = 0
        var significant = 0
        var exponent = 0
        var sawDigit = false
        var sawMark = false
        while i < end {
            let c = field[i]
            if c >= 0x30 && c <= 0x39 {
                sawDigit = true
                if mantissa == 0 && c == 0x30 {
                    if sawMark { exponent -= 1 }
                } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                    significant += 1
                    if sawMark { exponent -= 1 }
                } else {
                    significant += 1
                    if !sawMark { exponent += 1 }
                }
                digits += 1
            } else if c == mark && !sawMark {
                sawMark = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i < end && (field[i] == 0x65 || field[i] == 0x45) {
            i += 1
            var expNegative = false
            if i < end && (field[i] == 0x2D || field[i] == 0x2B) {
                expNegative = field[i] == 0x2D
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < end, field[i] >= 0x30, field[i] <= 0x39 {
                if e < 100_000 { e = e * 10 + Int(field[i] - 0x30) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == end else { return nil }
        if significant <= 19 && mantissa < (1 << 53) && abs(exponent) <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        // Slow path: the standard library's correctly rounded conversion.
        var text = String(decoding: UnsafeBufferPointer(rebasing: field[start..<end]), as: UTF8.self)
        if decimalComma { text = text.replacingComma() }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int32? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            (1...9999).contains(year)
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146_097 + doe - 719_468)
    }

    /// Year, month and day of a day number.
    static func civil(_ days: Int32) -> (year: Int, month: Int, day: Int) {
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A compiled Unicode date pattern (`yyyy-MM-dd`, `dd.MM.yyyy`, `d/M/yy`, `yyyy-MM-dd HH:mm`).
struct DatePattern: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case year(digits: Int)  // 4 = exactly 4; 2 = two digits, 2000-based
        case month(exact: Bool)
        case day(exact: Bool)
        case ignoredNumber(exact: Int?)  // hours, minutes, seconds
        case literal(UInt8)
    }

    let tokens: [Token]
    let text: String

    /// - Returns: `nil` when the pattern has no year, month and day, or letters it does not know.
    init?(_ pattern: String) {
        var tokens: [Token] = []
        let chars = Array(pattern.utf8)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var run = 1
            while i + run < chars.count && chars[i + run] == c { run += 1 }
            switch c {
            case UInt8(ascii: "y"): tokens.append(.year(digits: run == 2 ? 2 : 4))
            case UInt8(ascii: "M"):
                guard run <= 2 else { return nil }
                tokens.append(.month(exact: run == 2))
            case UInt8(ascii: "d"):
                guard run <= 2 else { return nil }
                tokens.append(.day(exact: run == 2))
            case UInt8(ascii: "H"), UInt8(ascii: "m"), UInt8(ascii: "s"), UInt8(ascii: "h"):
                tokens.append(.ignoredNumber(exact: run == 2 ? 2 : nil))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return nil
            default:
                for _ in 0..<run { tokens.append(.literal(c)) }
            }
            i += run
        }
        let has = (
            tokens.contains {
                if case .year = $0 { return true }
                return false
            },
            tokens.contains {
                if case .month = $0 { return true }
                return false
            },
            tokens.contains {
                if case .day = $0 { return true }
                return false
            }
        )
        guard has.0 && has.1 && has.2 else { return nil }
        self.tokens = tokens
        self.text = pattern
    }

    func parse(_ field: UnsafeBufferPointer<UInt8>) -> Int32? {
        var i = 0
        var end = field.count
        while i < end && field[i] == 0x20 { i += 1 }
        while end > i && field[end - 1] == 0x20 { end -= 1 }
        var year = 0
        var month = 0
        var day = 0
        func number(min: Int, max: Int) -> Int? {
            var value = 0
            var count = 0
            while i < end, count < max, field[i] >= 0x30, field[i] <= 0x39 {
                value = value * 10 + Int(field[i] - 0x30)
                i += 1
                count += 1
            }
            return count >= min ? value : nil
        }
        for token in tokens {
            switch token {
            case .year(let digits):
                guard let v = number(min: digits, max: digits) else { return nil }
                year = digits == 2 ? 2000 + v : v
            case .month(let exact):
                guard let v = number(min: exact ? 2 : 1, max: 2) else { return nil }
                month = v
            case .day(let exact):
                guard let v = number(min: exact ? 2 : 1, max: 2) else { return nil }
                day = v
            case .ignoredNumber(let exact):
                guard number(min: exact ?? 1, max: exact ?? 2) != nil else { return nil }
            case .literal(let c):
                guard i < end, field[i] == c else { return nil }
                i += 1
            }
        }
        guard i == end else { return nil }
        return FieldParsing.dayNumber(year: year, month: month, day: day)
    }
}

/// Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian).
public enum CivilDate {
    /// Days since 1970-01-01 of a proleptic Gregorian date, `nil` for an invalid one.
    public static func days(year: Int, month: Int, day: Int) -> Int32? {
        FieldParsing.dayNumber(year: year, month: month, day: day)
    }

    /// `yyyy-MM-dd` of a day number.
    public static func iso(_ days: Int32) -> String {
        let (y, m, d) = FieldParsing.civil(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// The day number of a calendar date; `nil` when the date does not exist.
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int32? {
        FieldParsing.dayNumber(year: year, month: month, day: day)
    }
}

extension String {
    func replacingComma() -> String { String(map { $0 == "," ? "." : $0 }) }
}

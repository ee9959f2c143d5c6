/// One declared column's values while a chunk of the file is parsed: each field is decoded from
/// its bytes straight into raw typed storage (no strings, no per-row allocation), and the chunks'
/// sinks are merged into a ``Column`` at the end.
///
/// Owns its ``RawBuffer``s: ``free()`` is called once, after ``merge(_:)``.
struct ColumnSink {
    /// Why a field is a bad value (the message is made only when one is reported).
    enum BadValue: Sendable {
        case number, wholeNumber, integerForm, date, boolean, category
    }

    let spec: ColumnSpec
    let kind: ColumnKind
    private let mark: UInt8
    /// The decimal mark in every byte of a word (``FieldParsing/shortDecimal(_:count:markWord:integral:)``).
    private let markWord: UInt64
    private(set) var numbers: RawBuffer<Double>
    private(set) var codes: RawBuffer<Int32>
    private(set) var days: RawBuffer<Int32>
    private(set) var flags: RawBuffer<Int8>
    private(set) var ids: [String] = []
    /// Labels (declared levels), or the file's values in order of first appearance.
    private(set) var levels: [String] = []
    /// File values → index into `valueCodes`.
    private var values = TokenSet()
    private var valueCodes: [Int32] = []
    /// The same values' keys and codes in raw storage, for the decoding loop.
    private var valueKeys = RawBuffer<FieldKey>(capacity: 8)
    private var keyCodes = RawBuffer<Int32>(capacity: 8)
    /// Whether some value is longer than a key holds (then `values` decides, as it does for more
    /// than 24 values).
    private var longValues = false
    /// The values' keys hashed, while they are few and short (``KeyLookup``).
    private var lookup: KeyLookup?
    private let otherCode: Int32?
    private let fixedLevels: Bool
    private let datePatterns: [DatePattern]
    private let trueTokens: TokenSet
    private let falseTokens: TokenSet
    /// The true and the false words hashed, when they are short (``KeyLookup``).
    private let booleanLookup: KeyLookup?
    var badValues = 0

    init(spec: ColumnSpec, decimalComma: Bool, capacity: Int) {
        self.spec = spec
        kind = spec.kind
        mark = decimalComma ? 0x2C : 0x2E
        markWord = UInt64(mark) &* 0x0101_0101_0101_0101
        numbers = RawBuffer(capacity: kind == .number || kind == .integer ? capacity : 0)
        codes = RawBuffer(capacity: kind == .category ? capacity : 0)
        days = RawBuffer(capacity: kind == .date ? capacity : 0)
        flags = RawBuffer(capacity: kind == .boolean ? capacity : 0)
        if kind == .id { ids.reserveCapacity(capacity) }
        datePatterns = kind == .date ? spec.dateFormats.compactMap(DatePattern.init) : []
        trueTokens = kind == .boolean ? TokenSet(spec.trueTokens.map { Array($0.utf8) }) : TokenSet()
        falseTokens = kind == .boolean ? TokenSet(spec.falseTokens.map { Array($0.utf8) }) : TokenSet()
        // The true words first, then the false ones: an index below the true words' count is true.
        let words = (spec.trueTokens + spec.falseTokens).map { Array($0.utf8) }
        booleanLookup = kind == .boolean && Set(words).count == words.count ? KeyLookup(words.map(FieldKey.init)) : nil
        let labels = spec.levels.labels
        fixedLevels = spec.levels.mapping != nil
        otherCode = fixedLevels ? spec.levels.other.flatMap { o in labels.firstIndex(of: o).map(Int32.init) } : nil
        if let mapping = spec.levels.mapping {
            levels = labels
            for (value, label) in mapping {
                addValue(Array(value.utf8), code: Int32(labels.firstIndex(of: label) ?? 0), rehash: false)
            }
            rehash()
        }
    }

    /// Adds a value (a declared one, or one first seen in the file) with its code; `rehash`
    /// false leaves ``lookup`` to be rebuilt by the caller, once for many values.
    private mutating func addValue(_ bytes: [UInt8], code: Int32, rehash rebuild: Bool = true) {
        values.append(bytes)
        valueCodes.append(code)
        valueKeys.append(FieldKey(bytes))
        keyCodes.append(code)
        longValues = longValues || bytes.count > 16
        if rebuild { rehash() }
    }

    /// Rebuilds ``lookup`` for the values so far while they are few and short enough for one
    /// (past ``KeyLookup/maximumKeys`` nothing is copied: a column of many distinct values adds
    /// each in constant time).
    private mutating func rehash() {
        lookup = !longValues && valueKeys.count <= KeyLookup.maximumKeys ? KeyLookup(Array(valueKeys.elements)) : nil
    }

    /// Appends a missing value.
    mutating func appendMissing() {
        switch kind {
        case .number, .integer: numbers.append(.nan)
        case .category: codes.append(-1)
        case .date: days.append(ColumnData.missingDate)
        case .boolean: flags.append(-1)
        case .id: ids.append("")
        }
    }

    /// Decodes `rows` fields of this column, field `r` being the bytes `base[starts[r]..<ends[r]]`
    /// (all before `limit`, the end of the readable buffer), appending one value per field: a
    /// missing token is missing; a bad value is missing too, counted, and reported in `bad` with
    /// its row and reason. One loop per column type, so each runs without dispatch per field.
    mutating func decode(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let badBefore = bad.count
        switch kind {
        case .number: decodeNumbers(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        case .integer: decodeIntegers(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        case .category: decodeCategories(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        case .boolean: decodeBooleans(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        case .date: decodeDates(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        case .id: decodeIdentifiers(base, starts: starts, ends: ends, rows: rows, limit: limit, missing: missing, bad: &bad)
        }
        badValues += bad.count - badBefore
    }

    private mutating func decodeNumbers(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let mark = self.mark
        let markWord = self.markWord
        let missingFilter = missing.filter
        numbers.reserve(rows)
        let out = numbers.end
        for r in 0..<rows {
            let start = base + starts[r]
            let n = ends[r] - starts[r]
            if missingFilter.mayMatch(start, count: n) && missing.contains(start, count: n, limit: limit) {
                out[r] = .nan
                continue
            }
            if limit - start >= 8, let v = FieldParsing.shortDecimal(start, count: n, markWord: markWord) {
                out[r] = v
            } else if let v = FieldParsing.plainDecimal(start, count: n, mark: mark)
                ?? FieldParsing.number(UnsafeBufferPointer(start: start, count: n), decimalComma: mark == 0x2C)
            {
                out[r] = v
            } else {
                out[r] = .nan
                bad.append((r, .number))
            }
        }
        numbers.didAppend(rows)
    }

    private mutating func decodeIntegers(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let mark = self.mark
        let markWord = self.markWord
        let missingFilter = missing.filter
        numbers.reserve(rows)
        let out = numbers.end
        for r in 0..<rows {
            let start = base + starts[r]
            let n = ends[r] - starts[r]
            if missingFilter.mayMatch(start, count: n) && missing.contains(start, count: n, limit: limit) {
                out[r] = .nan
                continue
            }
            if limit - start >= 8, let v = FieldParsing.shortDecimal(start, count: n, markWord: markWord, integral: true) {
                out[r] = v
            } else if let v = FieldParsing.integer(start, count: n, mark: mark) {
                out[r] = v
            } else {
                out[r] = .nan
                // A whole number written otherwise (1e3, beyond ±2^53) gets its own reason.
                let asNumber = FieldParsing.number(UnsafeBufferPointer(start: start, count: n), decimalComma: mark == 0x2C)
                bad.append((r, asNumber.map(Self.isWhole) == true ? .integerForm : .wholeNumber))
            }
        }
        numbers.didAppend(rows)
    }

    private mutating func decodeCategories(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let missingFilter = missing.filter
        codes.reserve(rows)
        let out = codes.end
        // The known values' keys, read in place (refreshed when a new level is added).
        var keys = valueKeys.base
        var keyCount = valueKeys.count
        var known = keyCodes.base
        var lookup = self.lookup
        for r in 0..<rows {
            let start = base + starts[r]
            let n = ends[r] - starts[r]
            if missingFilter.mayMatch(start, count: n) && missing.contains(start, count: n, limit: limit) {
                out[r] = -1
                continue
            }
            let key = limit - start >= 16 ? FieldKey.words(start, count: n) : FieldKey(start, count: n, limit: limit)
            var code: Int32 = -1
            var found = false
            if let lookup {
                // Few short values: one hashed slot (no branch on which value the field is).
                if let k = lookup.index(of: key) {
                    code = known[Int(k)]
                    found = true
                }
            } else if longValues || keyCount > 24 {
                // Long values, or many levels: the token set's own lookup (hashed when large).
                if let k = values.index(of: key, start) {
                    code = valueCodes[k]
                    found = true
                }
            } else {
                var k = 0
                while k < keyCount {
                    if keys[k] == key {
                        code = known[k]
                        found = true
                        break
                    }
                    k += 1
                }
            }
            if !found {
                if let otherCode {
                    code = otherCode
                } else if fixedLevels {
                    bad.append((r, .category))
                } else {
                    // Levels in order of first appearance.
                    let bytes = Array(UnsafeBufferPointer(start: start, count: n))
                    code = Int32(levels.count)
                    levels.append(String(decoding: bytes, as: UTF8.self))
                    addValue(bytes, code: code)
                    keys = valueKeys.base
                    keyCount = valueKeys.count
                    known = keyCodes.base
                    lookup = self.lookup
                }
            }
            out[r] = code
        }
        codes.didAppend(rows)
    }

    private mutating func decodeBooleans(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let missingFilter = missing.filter
        flags.reserve(rows)
        let out = flags.end
        let trueCount = Int32(spec.trueTokens.count)
        for r in 0..<rows {
            let start = base + starts[r]
            let n = ends[r] - starts[r]
            if missingFilter.mayMatch(start, count: n) && missing.contains(start, count: n, limit: limit) {
                out[r] = -1
                continue
            }
            let key = limit - start >= 16 ? FieldKey.words(start, count: n) : FieldKey(start, count: n, limit: limit)
            if let booleanLookup {
                if let k = booleanLookup.index(of: key) {
                    out[r] = k < trueCount ? 1 : 0
                } else {
                    out[r] = -1
                    bad.append((r, .boolean))
                }
            } else if trueTokens.index(of: key, start) != nil {
                out[r] = 1
            } else if falseTokens.index(of: key, start) != nil {
                out[r] = 0
            } else {
                out[r] = -1
                bad.append((r, .boolean))
            }
        }
        flags.didAppend(rows)
    }

    private mutating func decodeDates(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let missingFilter = missing.filter
        days.reserve(rows)
        let out = days.end
        for r in 0..<rows {
            let start = base + starts[r]
            let n = ends[r] - starts[r]
            if missingFilter.mayMatch(start, count: n) && missing.contains(start, count: n, limit: limit) {
                out[r] = ColumnData.missingDate
                continue
            }
            let field = UnsafeBufferPointer(start: start, count: n)
            var day: Int32? = nil
            for pattern in datePatterns {
                day = pattern.parse(field)
                if day != nil { break }
            }
            if let day {
                out[r] = day
            } else {
                out[r] = ColumnData.missingDate
                bad.append((r, .date))
            }
        }
        days.didAppend(rows)
    }

    private mutating func decodeIdentifiers(
        _ base: UnsafePointer<UInt8>, starts: UnsafePointer<Int>, ends: UnsafePointer<Int>, rows: Int,
        limit: UnsafePointer<UInt8>, missing: TokenSet, bad: inout [(row: Int, reason: BadValue)]
    ) {
        let missingFilter = missing.filter
        for r in 0..<rows {
            let start = base + starts[r]
            let n = ends[r] - starts[r]
            let isMissing = missingFilter.mayMatch(start, count: n) && missing.contains(start, count: n, limit: limit)
            ids.append(isMissing ? "" : String(decoding: UnsafeBufferPointer(start: start, count: n), as: UTF8.self))
        }
    }

    /// Whether `v` is a whole number (without a libm call in the common range).
    @inline(__always)
    static func isWhole(_ v: Double) -> Bool {
        abs(v) < 4.5e15 ? Double(Int64(v)) == v : v.rounded() == v
    }

    /// The message for a bad value of this column.
    func reason(_ bad: BadValue) -> String {
        switch bad {
        case .number: return "not a number"
        case .wholeNumber: return "not a whole number"
        case .integerForm: return "not an integer written in digits within ±2^53 (9007199254740992)"
        case .date: return "not a date in the format \(spec.dateFormats.joined(separator: " or "))"
        case .boolean: return "neither \(spec.trueTokens.joined(separator: "/")) nor \(spec.falseTokens.joined(separator: "/"))"
        case .category: return "not one of the declared levels (\((spec.levels.mapping ?? []).map(\.value).joined(separator: ", ")))"
        }
    }

    func free() {
        valueKeys.free()
        keyCodes.free()
        numbers.free()
        codes.free()
        days.free()
        flags.free()
    }

    /// The column made of the chunks' values in order (category codes remapped to one level list).
    static func merge(_ parts: [ColumnSink]) -> Column? {
        guard let first = parts.first else { return nil }
        let spec = first.spec
        let data: ColumnData
        switch spec.kind {
        case .number, .integer: data = .number(Array(concatenating: parts.map(\.numbers.elements)))
        case .date: data = .date(Array(concatenating: parts.map(\.days.elements)))
        case .boolean: data = .boolean(Array(concatenating: parts.map(\.flags.elements)))
        case .id: data = .id(parts.count == 1 ? first.ids : parts.flatMap(\.ids))
        case .category:
            var levels = first.levels
            // Written narrow directly (no whole-column Int32 array).
            var codes = CategoryCodesBuilder()
            codes.reserve(parts.reduce(0) { $0 + $1.codes.count })
            codes.append(first.codes.elements, remap: nil, levelCount: levels.count)
            for part in parts.dropFirst() {
                var remap = [Int32](repeating: -1, count: part.levels.count)
                for (k, label) in part.levels.enumerated() {
                    if let existing = levels.firstIndex(of: label) {
                        remap[k] = Int32(existing)
                    } else {
                        remap[k] = Int32(levels.count)
                        levels.append(label)
                    }
                }
                let levelCount = levels.count
                remap.withUnsafeBufferPointer { map in codes.append(part.codes.elements, remap: map, levelCount: levelCount) }
            }
            data = .category(codes: codes.codes, levels: levels)
        }
        var aliases: [[String]] = []
        if spec.kind == .category, let mapping = spec.levels.mapping {
            aliases = first.levels.map { label in mapping.filter { $0.label == label }.map(\.value) }
        }
        return Column(
            name: spec.name, kind: spec.kind, data: data,
            badValues: parts.reduce(0) { $0 + $1.badValues }, aliases: aliases)
    }

    /// A column of `rows` missing values (a declared, optional column the file does not have).
    static func missingColumn(_ spec: ColumnSpec, rows: Int) -> Column {
        var sink = ColumnSink(spec: spec, decimalComma: false, capacity: rows)
        defer { sink.free() }
        for _ in 0..<rows { sink.appendMissing() }
        return merge([sink]) ?? Column(name: spec.name, kind: spec.kind, data: .number([]))
    }
}

/// Accumulates one declared column's values straight from field bytes into typed storage.
struct ColumnBuilder {
    let spec: ColumnSpec
    let decimalComma: Bool
    private(set) var numbers: [Double] = []
    private(set) var codes: [Int32] = []
    private(set) var days: [Int32] = []
    private(set) var flags: [Int8] = []
    private(set) var ids: [String] = []
    /// Byte form of each known file value → code (a short list is scanned; most columns have few).
    private var valueBytes = TokenSet()
    private var valueCodes: [Int32] = []
    private var lookup: [[UInt8]: Int32] = [:]
    private(set) var levels: [String] = []
    private let otherCode: Int32?
    private let fixedLevels: Bool
    private let datePatterns: [DatePattern]
    private let trueBytes: TokenSet
    private let falseBytes: TokenSet
    var badValues = 0
    private let capacity: Int

    init(spec: ColumnSpec, decimalComma: Bool, capacity: Int) {
        self.spec = spec
        self.decimalComma = decimalComma
        self.datePatterns = spec.dateFormats.compactMap(DatePattern.init)
        self.trueBytes = TokenSet(spec.trueTokens.map { Array($0.utf8) })
        self.falseBytes = TokenSet(spec.falseTokens.map { Array($0.utf8) })
        var other: Int32? = nil
        let labels = spec.levels.labels
        if let mapping = spec.levels.mapping {
            levels = labels
            for (value, label) in mapping {
                valueBytes.append(Array(value.utf8))
                valueCodes.append(Int32(labels.firstIndex(of: label) ?? 0))
            }
            other = spec.levels.other.flatMap { o in labels.firstIndex(of: o).map(Int32.init) }
            fixedLevels = true
        } else {
            fixedLevels = false
        }
        otherCode = other
        if let mapping = spec.levels.mapping {
            for (i, pair) in mapping.enumerated() { lookup[Array(pair.value.utf8)] = valueCodes[i] }
        }
        self.capacity = capacity
        reserve()
    }

    private mutating func reserve() {
        switch spec.kind {
        case .number, .integer: numbers.reserveCapacity(capacity)
        case .category: codes.reserveCapacity(capacity)
        case .date: days.reserveCapacity(capacity)
        case .boolean: flags.reserveCapacity(capacity)
        case .id: ids.reserveCapacity(capacity)
        }
    }

    /// Appends a missing value.
    mutating func appendMissing() {
        switch spec.kind {
        case .number, .integer: numbers.append(.nan)
        case .category: codes.append(-1)
        case .date: days.append(ColumnData.missingDate)
        case .boolean: flags.append(-1)
        case .id: ids.append("")
        }
    }

    /// Appends a present field. Returns a reason when the value is bad (nothing is appended then).
    mutating func append(_ field: UnsafeBufferPointer<UInt8>) -> String? {
        switch spec.kind {
        case .number:
            guard let v = FieldParsing.number(field, decimalComma: decimalComma) else { return "not a number" }
            numbers.append(v)
        case .integer:
            guard let v = FieldParsing.number(field, decimalComma: decimalComma) else { return "not a whole number" }
            guard v == v.rounded() else { return "not a whole number" }
            numbers.append(v)
        case .date:
            for pattern in datePatterns {
                if let d = pattern.parse(field) { days.append(d); return nil }
            }
            return "not a date in the format \(spec.dateFormats.joined(separator: " or "))"
        case .boolean:
            if trueBytes.contains(field) { flags.append(1); return nil }
            if falseBytes.contains(field) { flags.append(0); return nil }
            return "neither \(spec.trueTokens.joined(separator: "/")) nor \(spec.falseTokens.joined(separator: "/"))"
        case .category:
            if let code = code(for: field) { codes.append(code); return nil }
            return "not one of the declared levels (\((spec.levels.mapping ?? []).map(\.value).joined(separator: ", ")))"
        case .id:
            ids.append(String(decoding: field, as: UTF8.self))
        }
        return nil
    }

    private mutating func code(for field: UnsafeBufferPointer<UInt8>) -> Int32? {
        if valueBytes.count <= 16 {
            if let i = valueBytes.index(of: field) { return valueCodes[i] }
        } else if let code = lookup[Array(field)] {
            return code
        }
        if let otherCode { return otherCode }
        if fixedLevels { return nil }
        // Levels in order of first appearance.
        let bytes = Array(field)
        let code = Int32(levels.count)
        levels.append(String(decoding: bytes, as: UTF8.self))
        valueBytes.append(bytes)
        valueCodes.append(code)
        lookup[bytes] = code
        return code
    }

    /// Appends another chunk's values (rows after this chunk's), remapping category codes.
    mutating func append(contentsOf other: ColumnBuilder) {
        badValues += other.badValues
        switch spec.kind {
        case .number, .integer: numbers += other.numbers
        case .date: days += other.days
        case .boolean: flags += other.flags
        case .id: ids += other.ids
        case .category:
            var remap = [Int32](repeating: -1, count: other.levels.count)
            for (k, label) in other.levels.enumerated() {
                if let existing = levels.firstIndex(of: label) {
                    remap[k] = Int32(existing)
                } else {
                    remap[k] = Int32(levels.count)
                    levels.append(label)
                }
            }
            codes += other.codes.map { $0 < 0 ? $0 : remap[Int($0)] }
        }
    }

    func build() -> Column {
        let data: ColumnData
        switch spec.kind {
        case .number, .integer: data = .number(numbers)
        case .category: data = .category(codes: codes, levels: levels)
        case .date: data = .date(days)
        case .boolean: data = .boolean(flags)
        case .id: data = .id(ids)
        }
        var aliases: [[String]] = []
        if spec.kind == .category, let mapping = spec.levels.mapping {
            aliases = levels.map { label in mapping.filter { $0.label == label }.map(\.value) }
        }
        return Column(name: spec.name, kind: spec.kind, data: data, badValues: badValues, aliases: aliases)
    }
}

/// Accumulates one declared column's values straight from field bytes into typed storage.
final class ColumnBuilder {
    let spec: ColumnSpec
    let decimalComma: Bool
    private(set) var numbers: [Double] = []
    private(set) var codes: [Int32] = []
    private(set) var days: [Int32] = []
    private(set) var flags: [Int8] = []
    private(set) var ids: [String] = []
    /// Byte form of each known file value → code (a short list is scanned; most columns have few).
    private var valueBytes: [[UInt8]] = []
    private var valueCodes: [Int32] = []
    private var lookup: [[UInt8]: Int32] = [:]
    private(set) var levels: [String] = []
    private let otherCode: Int32?
    private let fixedLevels: Bool
    private let datePatterns: [DatePattern]
    private let trueBytes: [[UInt8]]
    private let falseBytes: [[UInt8]]
    var badValues = 0

    init(spec: ColumnSpec, decimalComma: Bool, capacity: Int) {
        self.spec = spec
        self.decimalComma = decimalComma
        self.datePatterns = spec.dateFormats.compactMap(DatePattern.init)
        self.trueBytes = spec.trueTokens.map { Array($0.utf8) }
        self.falseBytes = spec.falseTokens.map { Array($0.utf8) }
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
        for (i, bytes) in valueBytes.enumerated() { lookup[bytes] = valueCodes[i] }
        switch spec.kind {
        case .number, .integer: numbers.reserveCapacity(capacity)
        case .category: codes.reserveCapacity(capacity)
        case .date: days.reserveCapacity(capacity)
        case .boolean: flags.reserveCapacity(capacity)
        case .id: ids.reserveCapacity(capacity)
        }
    }

    /// Appends a missing value.
    func appendMissing() {
        switch spec.kind {
        case .number, .integer: numbers.append(.nan)
        case .category: codes.append(-1)
        case .date: days.append(ColumnData.missingDate)
        case .boolean: flags.append(-1)
        case .id: ids.append("")
        }
    }

    /// Appends a present field. Returns a reason when the value is bad (nothing is appended then).
    func append(_ field: UnsafeBufferPointer<UInt8>) -> String? {
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
            if trueBytes.contains(where: { Self.equal(field, $0) }) { flags.append(1); return nil }
            if falseBytes.contains(where: { Self.equal(field, $0) }) { flags.append(0); return nil }
            return "neither \(spec.trueTokens.joined(separator: "/")) nor \(spec.falseTokens.joined(separator: "/"))"
        case .category:
            if let code = code(for: field) { codes.append(code); return nil }
            return "not one of the declared levels (\(valueBytes.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", ")))"
        case .id:
            ids.append(String(decoding: field, as: UTF8.self))
        }
        return nil
    }

    private func code(for field: UnsafeBufferPointer<UInt8>) -> Int32? {
        if valueBytes.count <= 16 {
            for (i, bytes) in valueBytes.enumerated() where Self.equal(field, bytes) { return valueCodes[i] }
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

    @inline(__always)
    static func equal(_ field: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8]) -> Bool {
        guard field.count == bytes.count else { return false }
        for i in 0..<bytes.count where field[i] != bytes[i] { return false }
        return true
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
        return Column(name: spec.name, kind: spec.kind, data: data, badValues: badValues)
    }
}

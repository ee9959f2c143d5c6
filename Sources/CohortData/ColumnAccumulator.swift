/// One declared column's values for the whole file, gathered chunk by chunk from the sinks the
/// chunks were parsed into. Values are appended in file order into the arrays the final
/// ``Column`` holds, so the table is never copied at the end; category codes of each sink are
/// remapped onto one level list kept in order of first appearance in the file, and stored as
/// narrow as that list allows (``CategoryCodesBuilder``).
struct ColumnAccumulator {
    let spec: ColumnSpec
    private var numbers: [Double] = []
    private var codes = CategoryCodesBuilder()
    private var days: [Int32] = []
    private var flags: [Int8] = []
    private var ids: [String] = []
    private var levels: [String] = []
    private var levelCodes: [String: Int32] = [:]
    private var badValues = 0

    init(spec: ColumnSpec) {
        self.spec = spec
        if spec.kind == .category, spec.levels.mapping != nil { levels = spec.levels.labels }
    }

    /// Room for `rows` values in all (allocated once when the row count is estimated well;
    /// pages not written are not resident, so an estimate that is too large costs little).
    mutating func reserve(_ rows: Int) {
        switch spec.kind {
        case .number, .integer: numbers.reserveCapacity(rows)
        case .category: codes.reserve(rows)
        case .date: days.reserveCapacity(rows)
        case .boolean: flags.reserveCapacity(rows)
        case .id: ids.reserveCapacity(rows)
        }
    }

    /// Appends the values of a sink (the next rows of the file).
    mutating func append(_ sink: ColumnSink) {
        badValues += sink.badValues
        switch spec.kind {
        case .number, .integer:
            numbers.makeRoom(for: sink.numbers.count)
            numbers.append(contentsOf: sink.numbers.elements)
        case .date:
            days.makeRoom(for: sink.days.count)
            days.append(contentsOf: sink.days.elements)
        case .boolean:
            flags.makeRoom(for: sink.flags.count)
            flags.append(contentsOf: sink.flags.elements)
        case .id:
            ids.makeRoom(for: sink.ids.count)
            ids.append(contentsOf: sink.ids)
        case .category:
            if spec.levels.mapping != nil {
                // Declared levels: the sink's codes are already the column's.
                codes.append(sink.codes.elements, remap: nil, levelCount: levels.count)
                return
            }
            var remap = [Int32](repeating: -1, count: sink.levels.count)
            for (k, label) in sink.levels.enumerated() {
                if let existing = levelCodes[label] {
                    remap[k] = existing
                } else {
                    let code = Int32(levels.count)
                    levels.append(label)
                    levelCodes[label] = code
                    remap[k] = code
                }
            }
            let levelCount = levels.count
            remap.withUnsafeBufferPointer { map in codes.append(sink.codes.elements, remap: map, levelCount: levelCount) }
        }
    }

    /// The finished column (the accumulator is spent).
    consuming func column() -> Column {
        let data: ColumnData
        switch spec.kind {
        case .number, .integer: data = .number(numbers)
        case .date: data = .date(days)
        case .boolean: data = .boolean(flags)
        case .id: data = .id(ids)
        case .category: data = .category(codes: codes.codes, levels: levels)
        }
        var aliases: [[String]] = []
        if spec.kind == .category, let mapping = spec.levels.mapping {
            aliases = levels.map { label in mapping.filter { $0.label == label }.map(\.value) }
        }
        return Column(name: spec.name, kind: spec.kind, data: data, badValues: badValues, aliases: aliases)
    }
}

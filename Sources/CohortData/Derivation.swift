/// A derived variable's formula (pipeline `derive:`), evaluated column-wise over a table.
public indirect enum Expression: Sendable, Hashable {
    /// A declared or earlier derived column.
    case column(String)
    /// Completed years from the first date to the second (birthday rule).
    case yearsBetween(Expression, Expression)
    /// Days from the first date to the second divided by 30.4375 (365.25 / 12).
    case monthsBetween(Expression, Expression)
    case daysBetween(Expression, Expression)
    /// The first operand that is present, row by row.
    case firstOf([Expression])
    /// Whether the operand equals the value (a category matches its file value or its label).
    case equals(Expression, String)
    case isIn(Expression, [String])
    case not(Expression)
    case greaterThan(Expression, Double)
    case lessThan(Expression, Double)

    /// The kind of the variable the expression derives, given the kinds of the variables it reads:
    /// date differences are numbers, comparisons booleans, `first_of` the kind of its first operand.
    public func kind(given kinds: [String: ColumnKind]) -> ColumnKind {
        switch self {
        case .column(let name): return kinds[name] ?? .number
        case .yearsBetween, .monthsBetween, .daysBetween: return .number
        case .firstOf(let list): return list.first.map { $0.kind(given: kinds) } ?? .number
        case .equals, .isIn, .not, .greaterThan, .lessThan: return .boolean
        }
    }
}

/// A named derived variable.
public struct Derivation: Sendable, Hashable {
    public var name: String
    public var expression: Expression

    public init(name: String, expression: Expression) {
        self.name = name
        self.expression = expression
    }

    /// Days in a month as the contract defines it: 365.25 / 12.
    public static let daysPerMonth = 30.4375

    /// Evaluates on `table` into a new column named `name`.
    ///
    /// - Throws: ``DataError`` `unknown_variable` or `type_mismatch`.
    public func evaluate(on table: Table) throws -> Column {
        let data = try Self.evaluate(expression, on: table, for: name)
        let kind: ColumnKind
        switch data {
        case .number: kind = .number
        case .boolean: kind = .boolean
        case .date: kind = .date
        case .category: kind = .category
        case .id: kind = .id
        }
        return Column(name: name, kind: kind, data: data)
    }

    static func evaluate(_ e: Expression, on table: Table, for target: String) throws -> ColumnData {
        let n = table.rowCount
        func mismatch(_ what: String) -> DataError {
            DataError(.typeMismatch, "derived variable '\(target)': \(what)", column: target)
        }
        func dates(_ e: Expression) throws -> [Int32] {
            guard case .date(let v) = try evaluate(e, on: table, for: target) else { throw mismatch("expects dates") }
            return v
        }
        switch e {
        case .column(let name):
            guard let column = table[name] else {
                throw DataError(
                    .unknownVariable, "derived variable '\(target)' uses '\(name)', which is neither declared nor derived before it", column: target)
            }
            return column.data
        case .yearsBetween(let a, let b):
            let x = try dates(a)
            let y = try dates(b)
            return .number(
                (0..<n).map { i in
                    guard x[i] != ColumnData.missingDate, y[i] != ColumnData.missingDate else { return .nan }
                    let from = FieldParsing.civil(x[i])
                    let to = FieldParsing.civil(y[i])
                    var years = to.year - from.year
                    if (to.month, to.day) < (from.month, from.day) { years -= 1 }
                    return Double(years)
                })
        case .monthsBetween(let a, let b), .daysBetween(let a, let b):
            let x = try dates(a)
            let y = try dates(b)
            let divisor: Double
            if case .monthsBetween = e { divisor = daysPerMonth } else { divisor = 1 }
            return .number(
                (0..<n).map { i in
                    guard x[i] != ColumnData.missingDate, y[i] != ColumnData.missingDate else { return .nan }
                    return Double(y[i] - x[i]) / divisor
                })
        case .firstOf(let operands):
            let values = try operands.map { try evaluate($0, on: table, for: target) }
            guard var result = values.first else { throw mismatch("first_of needs at least one operand") }
            for next in values.dropFirst() {
                switch (result, next) {
                case (.date(var r), .date(let v)):
                    for i in 0..<n where r[i] == ColumnData.missingDate { r[i] = v[i] }
                    result = .date(r)
                case (.number(var r), .number(let v)):
                    for i in 0..<n where r[i].isNaN { r[i] = v[i] }
                    result = .number(r)
                case (.boolean(var r), .boolean(let v)):
                    for i in 0..<n where r[i] < 0 { r[i] = v[i] }
                    result = .boolean(r)
                default:
                    throw mismatch("first_of needs operands of one type (dates, numbers or booleans)")
                }
            }
            return result
        case .equals(let operand, let value):
            return .boolean(try matches(evaluate(operand, on: table, for: target), [value], aliases: aliases(operand, table), target: target))
        case .isIn(let operand, let values):
            return .boolean(try matches(evaluate(operand, on: table, for: target), values, aliases: aliases(operand, table), target: target))
        case .not(let operand):
            guard case .boolean(let v) = try evaluate(operand, on: table, for: target) else { throw mismatch("not expects a boolean") }
            return .boolean(v.map { $0 < 0 ? -1 : 1 - $0 })
        case .greaterThan(let operand, let bound), .lessThan(let operand, let bound):
            let data = try evaluate(operand, on: table, for: target)
            guard let x = Column(name: "", kind: .number, data: data).numbers, !(data.isDate) else {
                throw mismatch("greater_than and less_than expect a number")
            }
            let greater: Bool
            if case .greaterThan = e { greater = true } else { greater = false }
            return .boolean(x.map { $0.isNaN ? -1 : ((greater ? $0 > bound : $0 < bound) ? 1 : 0) })
        }
    }

    static func aliases(_ e: Expression, _ table: Table) -> [[String]] {
        if case .column(let name) = e { return table[name]?.aliases ?? [] }
        return []
    }

    /// Row-wise membership: categories by file value or label, booleans by yes/no/true/false,
    /// numbers by numeric value, identifiers by text.
    static func matches(_ data: ColumnData, _ values: [String], aliases: [[String]] = [], target: String) throws -> [Int8] {
        switch data {
        case .category(let codes, let levels):
            let wanted = Set(
                levels.indices.filter { k in
                    values.contains(levels[k]) || (k < aliases.count && aliases[k].contains { values.contains($0) })
                }.map(Int32.init))
            return codes.map { $0 < 0 ? -1 : (wanted.contains($0) ? 1 : 0) }
        case .boolean(let flags):
            let truthy = values.map { ["yes", "true", "1"].contains($0.lowercased()) }
            let falsy = values.map { ["no", "false", "0"].contains($0.lowercased()) }
            return flags.map { f in
                f < 0 ? -1 : ((f == 1 && truthy.contains(true)) || (f == 0 && falsy.contains(true)) ? 1 : 0)
            }
        case .number(let x):
            let numbers = values.compactMap(Double.init)
            return x.map { $0.isNaN ? -1 : (numbers.contains($0) ? 1 : 0) }
        case .id(let ids):
            return ids.map { $0.isEmpty ? -1 : (values.contains($0) ? 1 : 0) }
        case .date:
            throw DataError(.typeMismatch, "derived variable '\(target)': dates cannot be compared with equals or in", column: target)
        }
    }
}

extension ColumnData {
    var isDate: Bool {
        if case .date = self { return true }
        return false
    }
}

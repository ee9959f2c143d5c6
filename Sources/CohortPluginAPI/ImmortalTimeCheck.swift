public import CohortData

/// What the `immortal_time` method check (`analyses-v2.md`, "Common: warnings") needs to know of a
/// pipeline: the time origin of `survival.time` and, for each derived variable, the dates it is
/// derived from.
///
/// Immortal-time bias: a group defined by something that happens after time zero (a treatment
/// started, a recurrence seen) is only reachable by patients who survived until it happened, so
/// the group looks better than it is. The survival time `months_between: [first_pm_date, …]`
/// counts from `first_pm_date`; a grouping `greater_than: [{days_between: [first_pm_date,
/// chemo_date]}, 0]` reads `chemo_date`, and every patient whose `chemo_date` lies after their
/// `first_pm_date` had to live until then to be in the group.
///
/// Built once per pipeline from its derivations (a static walk, no data): ``dateSources`` lists,
/// per derived variable, the date columns (declared or derived) it reads, transitively through the
/// derived variables it uses, the origin's own columns left out. The counting on the data is
/// ``AnalysisInput/immortalTimeWarnings(for:rows:landmark:)``.
public struct ImmortalTimeCheck: Sendable, Hashable {
    /// The unit of the survival time, from the date difference that derives it.
    public enum Unit: Sendable, Hashable {
        case days, months, years

        /// Days in one unit: months as `Derivation.daysPerMonth` (365.25 / 12), years as 365.25
        /// days (a landmark in years is compared on that scale, not by the birthday rule).
        public var days: Double {
            switch self {
            case .days: return 1
            case .months: return Derivation.daysPerMonth
            case .years: return 365.25
            }
        }

        /// The name of the unit, for messages.
        public var name: String {
            switch self {
            case .days: return "days"
            case .months: return "months"
            case .years: return "years"
            }
        }
    }

    /// The name of the survival time variable.
    public var survivalTime: String
    /// The first date of the date difference that derives the survival time (its time origin).
    public var origin: Expression
    /// The unit that difference counts in.
    public var unit: Unit
    /// Per derived variable, the date columns it reads other than the origin's, in the order the
    /// derivation names them (empty lists left out).
    public var dateSources: [String: [String]]

    /// The check of a pipeline whose survival time is `survivalTime`, or `nil` when that time has no
    /// known origin: it is not derived, or not derived (through plain renames) as a
    /// `days_between`, `months_between` or `years_between` of two dates.
    ///
    /// - Parameters:
    ///   - derivations: the pipeline's `derive:` block, in order.
    ///   - kinds: the kind of every declared and derived variable.
    public init?(survivalTime: String?, derivations: [Derivation], kinds: [String: ColumnKind]) {
        guard let survivalTime else { return nil }
        let formulas = Dictionary(derivations.map { ($0.name, $0.expression) }, uniquingKeysWith: { _, last in last })
        var expression = formulas[survivalTime]
        var renames: Set<String> = [survivalTime]
        while case .column(let name)? = expression, let next = formulas[name], renames.insert(name).inserted {
            expression = next
        }
        switch expression {
        case .daysBetween(let from, _)?: (origin, unit) = (from, .days)
        case .monthsBetween(let from, _)?: (origin, unit) = (from, .months)
        case .yearsBetween(let from, _)?: (origin, unit) = (from, .years)
        default: return nil
        }
        self.survivalTime = survivalTime
        var originColumns: Set<String> = []
        origin.forEachColumnRead { originColumns.insert($0) }
        var sources: [String: [String]] = [:]
        for d in derivations {
            let dates = Self.dates(read: d.expression, formulas: formulas, kinds: kinds).filter { !originColumns.contains($0) }
            if !dates.isEmpty { sources[d.name] = dates }
        }
        dateSources = sources
    }

    /// The date columns `expression` reads, each once, in order: a date column read directly
    /// (declared, or derived as a date) is a source itself; a derived variable of another kind is
    /// followed into its own formula; any other column reads no date.
    static func dates(read expression: Expression, formulas: [String: Expression], kinds: [String: ColumnKind]) -> [String] {
        var found: [String] = []
        var followed: Set<String> = []
        var pending = [expression]
        while let e = pending.popLast() {
            switch e {
            case .column(let name):
                if kinds[name] == .date {
                    if !found.contains(name) { found.append(name) }
                } else if let formula = formulas[name], followed.insert(name).inserted {
                    pending.append(formula)
                }
            case .yearsBetween(let a, let b), .monthsBetween(let a, let b), .daysBetween(let a, let b):
                pending.append(b)
                pending.append(a)
            case .firstOf(let list): pending.append(contentsOf: list.reversed())
            case .equals(let e, _), .isIn(let e, _), .not(let e), .greaterThan(let e, _), .lessThan(let e, _): pending.append(e)
            }
        }
        return found
    }

    /// How messages name the origin: its column, or "the origin of <survival time>" for a formula.
    public var originName: String {
        if case .column(let name) = origin { return name }
        return "the origin of \(survivalTime)"
    }
}

extension Expression {
    /// Calls `body` with every column the expression names (derived ones not followed).
    func forEachColumnRead(_ body: (String) -> Void) {
        switch self {
        case .column(let name): body(name)
        case .yearsBetween(let a, let b), .monthsBetween(let a, let b), .daysBetween(let a, let b):
            a.forEachColumnRead(body)
            b.forEachColumnRead(body)
        case .firstOf(let list): for e in list { e.forEachColumnRead(body) }
        case .equals(let e, _), .isIn(let e, _), .not(let e), .greaterThan(let e, _), .lessThan(let e, _): e.forEachColumnRead(body)
        }
    }
}

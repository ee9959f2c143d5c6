/// One step of the cohort definition (pipeline `cohort:`): keep or drop the rows on which every
/// listed column equals its value. The steps' counts form the flow diagram.
public struct CohortStep: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, Codable {
        case keep, drop
    }

    public var action: Action
    /// Column → value; a category matches its file value or its label, a boolean yes/no/true/false.
    public var conditions: [(column: String, value: String)]
    public var reason: String

    public init(action: Action, conditions: [(column: String, value: String)], reason: String) {
        self.action = action
        self.conditions = conditions
        self.reason = reason
    }

    public static func == (a: CohortStep, b: CohortStep) -> Bool {
        a.action == b.action && a.reason == b.reason
            && a.conditions.map { "\($0.column)\u{1}\($0.value)" } == b.conditions.map { "\($0.column)\u{1}\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(action)
        hasher.combine(reason)
        hasher.combine(conditions.map { "\($0.column)\u{1}\($0.value)" })
    }
}

/// A box of the flow diagram.
public struct FlowStep: Sendable, Hashable, Codable {
    public var step: String
    /// Rows in the input (first box only).
    public var n: Int?
    public var kept: Int?
    public var excluded: Int?
}

/// Applies cohort steps in order.
public enum CohortFilter {
    /// The rows left after every step, and the flow: the input count, then per step kept/excluded.
    /// A row with a listed column missing does not match (kept by `drop`, excluded by `keep`).
    ///
    /// The table is taken (`consuming`): a step that excludes rows replaces each column by its
    /// kept rows one column at a time, so that, when the caller hands over its only copy, the
    /// filtered and the unfiltered table are never both held whole.
    ///
    /// - Throws: ``DataError`` `unknown_variable` for a column the table lacks.
    public static func apply(_ steps: [CohortStep], to table: consuming Table) throws -> (table: Table, flow: [FlowStep]) {
        var flow = [FlowStep(step: "input", n: table.rowCount)]
        var current = table
        for step in steps {
            var match = [Bool](repeating: true, count: current.rowCount)
            for (name, value) in step.conditions {
                guard let column = current[name] else {
                    throw DataError(
                        .unknownVariable, "cohort step '\(step.reason)' uses '\(name)', which is neither declared nor derived", column: name)
                }
                let flags = try Derivation.matches(column.data, [value], aliases: column.aliases, target: name)
                for i in 0..<current.rowCount where flags[i] != 1 { match[i] = false }
            }
            let keep = (0..<current.rowCount).filter { step.action == .keep ? match[$0] : !match[$0] }
            flow.append(FlowStep(step: step.reason, kept: keep.count, excluded: current.rowCount - keep.count))
            if keep.count != current.rowCount { current.keepRows(keep) }
        }
        return (current, flow)
    }
}

import CohortConfiguration
import CohortData

extension LoadedPipeline {
    /// Declared `id` columns that nothing in the pipeline can read: no analysis entry, derivation,
    /// cohort step or survival block names them. The reader checks that the header has them (when
    /// `required`) but keeps none of their values: an identifier column costs 16 bytes a row or more,
    /// the largest share of a registry export's table, and an `id` has nothing to validate, so
    /// leaving it out changes no result.
    ///
    /// Deliberately conservative: a column counts as read when its name is any string of an
    /// analysis entry (an `exec` plugin's `variables`, or a free-form parameter alike).
    static func unreadIdentifiers(of pipeline: Pipeline) -> Set<String> {
        var candidates = Set(pipeline.columns.filter { $0.kind == .id }.map(\.name))
        guard !candidates.isEmpty else { return [] }
        for spec in pipeline.analyses { spec.node.forEachScalar { candidates.remove($0) } }
        for d in pipeline.derivations { d.expression.forEachColumn { candidates.remove($0) } }
        for step in pipeline.cohort { for condition in step.conditions { candidates.remove(condition.column) } }
        if let survival = pipeline.survival {
            candidates.remove(survival.time)
            candidates.remove(survival.event)
        }
        if let competing = pipeline.competing {
            candidates.remove(competing.time)
            candidates.remove(competing.status)
        }
        return candidates
    }
}

extension YAMLNode {
    /// Calls `body` with the text of every scalar of the subtree (keys included), iteratively.
    func forEachScalar(_ body: (String) -> Void) {
        var stack = [self]
        while let node = stack.popLast() {
            switch node.content {
            case .scalar(let text, _): body(text)
            case .sequence(let items): stack.append(contentsOf: items)
            case .mapping(let pairs):
                for pair in pairs {
                    stack.append(pair.key)
                    stack.append(pair.value)
                }
            }
        }
    }
}

extension Expression {
    /// Calls `body` with every column the expression reads.
    func forEachColumn(_ body: (String) -> Void) {
        switch self {
        case .column(let name): body(name)
        case .yearsBetween(let a, let b), .monthsBetween(let a, let b), .daysBetween(let a, let b):
            a.forEachColumn(body)
            b.forEachColumn(body)
        case .firstOf(let list): for e in list { e.forEachColumn(body) }
        case .equals(let e, _), .isIn(let e, _), .not(let e), .greaterThan(let e, _), .lessThan(let e, _): e.forEachColumn(body)
        }
    }
}

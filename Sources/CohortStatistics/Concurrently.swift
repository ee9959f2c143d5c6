import Dispatch

/// Runs two independent computations at the same time, on two threads, and returns both
/// results. For the passes over a model's subjects that only read shared, immutable data (the
/// concordance and the proportional-hazards test of a fitted Cox model).
func concurrently<A: Sendable, B: Sendable>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
    let results = PairOfResults<A, B>()
    DispatchQueue.concurrentPerform(iterations: 2) { k in
        if k == 0 { results.first = first() } else { results.second = second() }
    }
    // concurrentPerform returns after both iterations: each slot was written once.
    guard let a = results.first, let b = results.second else { return (first(), second()) }
    return (a, b)
}

/// Two slots, each written by one thread of ``concurrently(_:_:)`` and read after both finish
/// (`concurrentPerform` joins them), so no two threads touch the same slot.
private final class PairOfResults<A: Sendable, B: Sendable>: @unchecked Sendable {
    var first: A?
    var second: B?
}

import Dispatch
import Synchronization

/// Runs two independent computations at the same time, on two threads, and returns both
/// results. For the passes over a model's subjects that only read shared, immutable data (the
/// concordance and the proportional-hazards test of a fitted Cox model; a run folder's figures
/// beside its text files).
package func concurrently<A: Sendable, B: Sendable>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
    let a = Mutex<A?>(nil)
    let b = Mutex<B?>(nil)
    DispatchQueue.concurrentPerform(iterations: 2) { k in
        if k == 0 {
            let value = first()
            a.withLock { $0 = value }
        } else {
            let value = second()
            b.withLock { $0 = value }
        }
    }
    // concurrentPerform returns after both iterations, so both slots are set.
    guard let x = a.withLock({ $0 }), let y = b.withLock({ $0 }) else { return (first(), second()) }
    return (x, y)
}

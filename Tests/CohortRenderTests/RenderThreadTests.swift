import Dispatch
import Glibc
import Synchronization
import Testing

@testable import CohortRender

/// ``RenderThread``'s rules: every body runs on one thread, never two at once; a body's value or
/// error is the caller's; a body that calls ``RenderThread/run(_:)`` again runs it inline.
@Suite struct RenderThreadTests {
    struct Refused: Error, Equatable { let code: Int }

    @Test func bodiesFromManyThreadsRunOneAtATimeOnOneThread() {
        let threads = Mutex<Set<UInt>>([])
        let callers = Mutex<Set<UInt>>([])
        let inside = Atomic<Int>(0)
        let mostInside = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { k in
            callers.withLock { _ = $0.insert(UInt(pthread_self())) }
            let echoed = RenderThread.run { () -> Int in
                let now = inside.add(1, ordering: .sequentiallyConsistent).newValue
                _ = mostInside.max(now, ordering: .sequentiallyConsistent)
                threads.withLock { _ = $0.insert(UInt(pthread_self())) }
                usleep(200)
                inside.subtract(1, ordering: .sequentiallyConsistent)
                return k
            }
            #expect(echoed == k)
        }
        #expect(threads.withLock { $0.count } == 1)
        #expect(mostInside.load(ordering: .sequentiallyConsistent) == 1)
        let renderThread = threads.withLock { $0.first }
        let callerThreads = callers.withLock { $0 }
        #expect(renderThread.map { !callerThreads.contains($0) } == true, "not a caller's thread")
        #expect(!RenderThread.isCurrent)
    }

    @Test func aBodysErrorIsTheCallers() {
        #expect(throws: Refused(code: 7)) {
            try RenderThread.run { () throws(Refused) -> Int in throw Refused(code: 7) }
        }
        // The thread goes on after an error.
        #expect(RenderThread.run { 41 + 1 } == 42)
    }

    @Test func aNestedRunRunsInline() {
        let (outer, inner, nested) = RenderThread.run { () -> (UInt, UInt, Bool) in
            let outer = UInt(pthread_self())
            let (inner, current) = RenderThread.run { (UInt(pthread_self()), RenderThread.isCurrent) }
            return (outer, inner, current)
        }
        #expect(outer == inner)
        #expect(nested)
    }
}

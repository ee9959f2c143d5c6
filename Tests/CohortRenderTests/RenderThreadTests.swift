import Dispatch
import Glibc
import Synchronization
import Testing

@testable import CohortRender

/// ``RenderThread``'s rules: every body runs on one thread, never two at once; a body's value or
/// error is the caller's; a body that calls ``RenderThread/run(_:)`` again runs it inline; a
/// posted body runs in its turn while the caller goes on, and waiting returns once it has run.
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

    @Test(.timeLimit(.minutes(1))) func aNestedRunRunsInline() {
        let (outer, inner, nested) = RenderThread.run { () -> (UInt, UInt, Bool) in
            let outer = UInt(pthread_self())
            let (inner, current) = RenderThread.run { (UInt(pthread_self()), RenderThread.isCurrent) }
            return (outer, inner, current)
        }
        #expect(outer == inner)
        #expect(nested)
    }

    /// What posted bodies saw: the order they ran in and the threads they ran on.
    final class Log: Sendable {
        let order = Mutex<[Int]>([])
        let threads = Mutex<Set<UInt>>([])

        func ran(_ k: Int) {
            threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            order.withLock { $0.append(k) }
        }
    }

    @Test(.timeLimit(.minutes(1))) func postedBodiesRunInOrderOnTheRenderThreadWhileTheCallerGoesOn() {
        let log = Log()
        let gate = DispatchSemaphore(value: 0)
        // The first body waits for the caller: the caller must get past post to open the gate.
        let first = RenderThread.post {
            gate.wait()
            log.ran(0)
        }
        let second = RenderThread.post { log.ran(1) }
        let third = RenderThread.post { log.ran(2) }
        #expect(log.order.withLock { $0.isEmpty })
        gate.signal()
        third.wait()
        // Run in order: once the last is waited for, the others have run too.
        #expect(log.order.withLock { $0 } == [0, 1, 2])
        second.wait()
        first.wait()
        let rendered = RenderThread.run { UInt(pthread_self()) }
        #expect(log.threads.withLock { $0 } == [rendered])
    }

    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    @Test(.timeLimit(.minutes(1))) func aPostedBodyNotWaitedForIsWaitedForWhenItGoes() {
        let done = Flag()
        do {
            _ = RenderThread.post {
                usleep(20_000)
                done.value.store(true, ordering: .sequentiallyConsistent)
            }
        }
        let ran = done.value.load(ordering: .sequentiallyConsistent)
        #expect(ran)
    }

    @Test(.timeLimit(.minutes(1))) func aBodyPostedFromTheRenderThreadRunsInline() {
        let ranBeforeReturn = RenderThread.run { () -> Bool in
            let ran = Flag()
            let posted = RenderThread.post { ran.value.store(true, ordering: .sequentiallyConsistent) }
            let before = ran.value.load(ordering: .sequentiallyConsistent)
            posted.wait()
            return before
        }
        #expect(ranBeforeReturn)
    }
}

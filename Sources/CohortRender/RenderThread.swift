import Dispatch
import Glibc
import Synchronization

/// The one thread every call into librsvg, cairo and pango runs on: ``run(_:)`` hands it a body
/// and waits for it, so calls from any number of threads are serialised there, in turn.
///
/// Why one thread and not a lock: librsvg and cairo are not safe to call from several threads at
/// once for documents with text (cairo's FreeType backend shares a font face between scaled
/// fonts, and concurrent glyph loading under `rsvg_handle_render_document` has been seen to
/// crash), and pango keeps its default font map per thread. Drawn under a lock from whichever
/// thread asked, every figure on a fresh thread (a serial dispatch queue's worker ends as soon as
/// it is idle) built the font map and loaded the fonts again: 5 ms more for each figure, and
/// pango's helper threads started anew, measured. On one long-lived thread the fonts are loaded
/// once per process, and ``FigureRenderer/warmUp(dpi:)`` warms the thread that draws.
///
/// Rules (checked by `RenderThreadTests`): every body runs on the same thread, never two at
/// once; a body's value or error is the caller's; a body that calls ``run(_:)`` again (from the
/// render thread) runs inline rather than waiting for itself; a posted body runs in its turn
/// while its caller goes on, and waiting for it returns once it has run.
enum RenderThread {
    /// A body to run and the semaphore its caller waits on.
    fileprivate final class Job: @unchecked Sendable {
        // Unchecked: the body (the caller's non-escaping closure, or a posted `Sendable` one) is
        // called exactly once, on the render thread, before `done` is signalled; nothing else
        // touches it.
        private var body: (() -> Void)?
        private let done = DispatchSemaphore(value: 0)

        init(_ body: @escaping () -> Void) { self.body = body }

        /// Runs the body and lets it go before the caller wakes: the caller's
        /// `withoutActuallyEscaping` checks that nothing holds the closure once it returns.
        func run() {
            body?()
            body = nil
            done.signal()
        }

        /// Blocks until ``run()`` has finished (at once if it had, however often called).
        func wait() {
            done.wait()
            done.signal()
        }
    }

    /// Jobs not yet taken by the thread; whether the thread was started, and whether it runs.
    private static let queue = Mutex<(jobs: [Job], started: Bool, running: Bool)>(([], false, false))
    /// Signalled once for each job queued.
    private static let pending = DispatchSemaphore(value: 0)
    /// The render thread's id once it has started.
    private static let threadID = Atomic<UInt>(0)
    /// Serialises the bodies run on their callers' threads if the render thread could not be started.
    private static let fallback = Mutex(())
    /// The thread holding `fallback` (0 when none), so that a body run there that calls
    /// ``run(_:)`` again (a ``Recording`` destroyed as a drawing fails) runs inline.
    private static let fallbackHolder = Atomic<UInt>(0)

    /// A body's outcome, filled in on the render thread.
    private final class Outcome<T: ~Copyable, E: Error> {
        var value: T? = nil
        var failure: E? = nil
    }

    /// Whether the caller is the render thread.
    static var isCurrent: Bool {
        let me = UInt(pthread_self())
        return threadID.load(ordering: .acquiring) == me || fallbackHolder.load(ordering: .acquiring) == me
    }

    /// Runs `body` on the render thread, with the figures' fonts configured (``FigureFonts``)
    /// before librsvg first needs them, and returns its value or throws its error.
    static func run<T: ~Copyable, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        if isCurrent {
            FigureFonts.install()
            return try body()
        }
        let outcome = Outcome<T, E>()
        let queued = withoutActuallyEscaping(
            {
                FigureFonts.install()
                do throws(E) { outcome.value = try body() } catch { outcome.failure = error }
            } as () -> Void
        ) { escapable in
            let job = Job(escapable)
            guard enqueue(job) else { return false }
            job.wait()
            return true
        }
        guard queued else {
            return try fallback.withLock { _ throws(E) -> T in
                fallbackHolder.store(UInt(pthread_self()), ordering: .releasing)
                defer { fallbackHolder.store(0, ordering: .releasing) }
                FigureFonts.install()
                return try body()
            }
        }
        if let failure = outcome.failure { throw failure }
        guard let value = outcome.value.take() else { preconditionFailure("a render job ended without a value or an error") }
        return value
    }

    /// A body handed to the render thread by ``post(_:)``, not yet waited for.
    struct Posted: ~Copyable {
        fileprivate let job: Job?

        /// Nothing to wait for.
        static var none: Posted { Posted(job: nil) }

        /// Blocks until the body has run (at once when it ran on the caller's thread).
        consuming func wait() { job?.wait() }

        deinit { job?.wait() }
    }

    /// Hands `body` to the render thread and returns without waiting for it, so that the caller
    /// works meanwhile (a PNG's band is encoded while the next is drawn); bodies run in the order
    /// posted or run. The body runs at once, inline, on the render thread itself or where
    /// ``run(_:)`` would run it under its fallback lock. A ``Posted`` not waited for is waited
    /// for when it goes away, so that nothing the body uses is freed while it runs.
    static func post(_ body: @escaping @Sendable () -> Void) -> Posted {
        if !isCurrent {
            let job = Job {
                FigureFonts.install()
                body()
            }
            if enqueue(job) { return Posted(job: job) }
        }
        run { body() }
        return Posted(job: nil)
    }

    /// Queues `job` for the render thread (starting it the first time) and wakes it; false, with
    /// nothing queued, when the thread could not be started.
    private static func enqueue(_ job: Job) -> Bool {
        let running = queue.withLock { state in
            if !state.started {
                state.started = true
                state.running = startThread()
            }
            if state.running { state.jobs.append(job) }
            return state.running
        }
        if running { pending.signal() }
        return running
    }

    /// Starts the thread, which then takes the jobs in order for the process's lifetime; false
    /// when the system would not start it.
    private static func startThread() -> Bool {
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { _ in
                RenderThread.threadID.store(UInt(pthread_self()), ordering: .releasing)
                while true {
                    RenderThread.pending.wait()
                    let next = RenderThread.queue.withLock { state in state.jobs.isEmpty ? nil : state.jobs.removeFirst() }
                    next?.run()
                }
            }, nil)
        guard created == 0 else { return false }
        pthread_detach(thread)
        return true
    }
}

/// A posted body is waited for where it was posted: moved onto the render thread and waited for
/// there, it would wait for a job queued behind the one waiting.
@available(*, unavailable)
extension RenderThread.Posted: Sendable {}

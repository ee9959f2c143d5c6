public import CohortIngest

/// Drop events a test sends by hand.
public final class InMemoryDropEvents: DropEventSource {
    public let events: AsyncStream<DropEvent>
    private let continuation: AsyncStream<DropEvent>.Continuation

    public init() {
        (events, continuation) = AsyncStream.makeStream(of: DropEvent.self)
    }

    /// Reports `event` to the consumer.
    public func send(_ event: DropEvent) { continuation.yield(event) }

    public func rewatch() { continuation.yield(.rescan(overflow: false)) }

    public func finish() { continuation.finish() }
}

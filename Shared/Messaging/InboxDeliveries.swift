import Synchronization

/// The deliveries of one `InboxSubscriber`, in the order they arrived. When the subscriber is
/// closed the sequence ends at once: deliveries that had arrived but were not yet taken are
/// dropped unacknowledged, and the producer re-sends them to another consumer, so a closed
/// subscriber never applies work that is already on its way elsewhere.
public struct InboxDeliveries: AsyncSequence, Sendable {
    public typealias Element = Delivery

    let stream: AsyncStream<Delivery>
    let closed: ClosedFlag

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<Delivery>.AsyncIterator
        let closed: ClosedFlag

        public mutating func next() async -> Delivery? {
            guard !closed.isSet, let delivery = await base.next(), !closed.isSet else { return nil }
            return delivery
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: stream.makeAsyncIterator(), closed: closed) }
}

/// Set once, read from any thread: whether an `InboxSubscriber` has been closed.
final class ClosedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

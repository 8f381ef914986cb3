import Foundation
import Logging
import ZeroMQ

/// One `InboxSubscriber` per upstream replica, merged into a single stream of deliveries.
/// A stage whose upstream is scaled out pulls from every replica; each delivery remembers
/// which one to acknowledge.
public final class UpstreamSubscriptions: Sendable {
    public let subscribers: [InboxSubscriber]
    public let deliveries: AsyncStream<Delivery>
    private let sink: AsyncStream<Delivery>.Continuation

    /// `endpoints` is a comma-separated list, e.g. `tcp://p1:5562,tcp://p2:5562`.
    /// `security` applies to every replica's link (they share the upstream service's key).
    public init(
        loop: ZMQEventLoop, endpoints: String, instance: String, credits: Int = 4, shard: Int? = nil, logger: Logger,
        security: LinkSecurity = .plain
    ) {
        subscribers = endpoints.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
            InboxSubscriber(loop: loop, endpoint: $0, instance: instance, credits: credits, shard: shard, logger: logger, security: security)
        }
        (deliveries, sink) = AsyncStream.makeStream(of: Delivery.self)
    }

    public func start() async throws {
        for subscriber in subscribers {
            try await subscriber.start()
            let sink = self.sink
            Task {
                for await delivery in subscriber.deliveries { sink.yield(delivery) }
            }
        }
    }

    /// Ends the merged stream after the deliveries already in it.
    public func finish() {
        for subscriber in subscribers { subscriber.finish() }
        sink.finish()
    }
}

import Foundation
import Logging
import Synchronization
import ZeroMQ

/// One `InboxSubscriber` per upstream replica, merged into a single stream of deliveries.
/// A stage whose upstream is scaled out pulls from every replica; each delivery remembers
/// which one to acknowledge. Replicas behind a `dns+tcp://name:port` entry are found by
/// resolving the name now and every `refreshSeconds`: a replica that appears is subscribed to,
/// one whose address is gone is closed (what it had sent here and was not acknowledged, its
/// store re-sends to whoever takes its shard over).
public final class UpstreamSubscriptions: Sendable {
    public let deliveries: AsyncStream<Delivery>
    private let sink: AsyncStream<Delivery>.Continuation
    private let loop: ZMQEventLoop
    private let entries: [EndpointAddresses]
    private let instance: String
    private let credits: Int
    private let shard: Int?
    private let logger: Logger
    private let security: LinkSecurity
    private let refreshSeconds: Double
    /// Live subscribers by the endpoint they connect to.
    private let live = Mutex<[String: InboxSubscriber]>([:])
    private let refresher = Mutex<Task<Void, Never>?>(nil)

    /// `endpoints` is a comma-separated list, e.g. `tcp://p1:5562,tcp://p2:5562` or
    /// `dns+tcp://preprocessor:5562`. `security` applies to every replica's link (they share
    /// the upstream service's key).
    public init(
        loop: ZMQEventLoop, endpoints: String, instance: String, credits: Int = 4, shard: Int? = nil, logger: Logger,
        security: LinkSecurity = .plain, refreshSeconds: Double = 5
    ) throws(EndpointAddressError) {
        self.loop = loop
        self.entries = try EndpointAddresses.parseList(endpoints)
        self.instance = instance
        self.credits = credits
        self.shard = shard
        self.logger = logger
        self.security = security
        self.refreshSeconds = refreshSeconds
        (deliveries, sink) = AsyncStream.makeStream(of: Delivery.self)
    }

    /// The endpoints subscribed to right now.
    public var connectedEndpoints: [String] { live.withLock { Array($0.keys).sorted() } }

    public func start() async throws {
        try await refresh()
        guard entries.contains(where: \.isResolved) else { return }
        let interval = refreshSeconds, logger = self.logger
        let task = Task { [weak self] in
            while !Task.isCancelled {
                // Fails only when cancelled, which the guard below acts on.
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                guard let self, !Task.isCancelled else { return }
                do { try await self.refresh() } catch {
                    logger.warning("could not subscribe to an upstream replica", metadata: ["error": "\(error)"])
                }
            }
        }
        refresher.withLock { $0 = task }
    }

    /// Subscribes to the endpoints the entries name now and closes the ones they no longer name.
    /// A resolved name that gives no address at all keeps its current subscribers: a DNS hiccup
    /// must not disconnect every replica.
    func refresh() async throws {
        var wanted = Set<String>()
        var keepAllOf = false
        for entry in entries {
            let endpoints = entry.endpoints()
            if endpoints.isEmpty, entry.isResolved { keepAllOf = true }
            wanted.formUnion(endpoints)
        }
        let current = live.withLock { $0 }
        for endpoint in wanted.subtracting(current.keys).sorted() {
            let subscriber = InboxSubscriber(
                loop: loop, endpoint: endpoint, instance: instance, credits: credits, shard: shard, logger: logger, security: security)
            try await subscriber.start()
            live.withLock { $0[endpoint] = subscriber }
            let sink = self.sink
            Task {
                for await delivery in subscriber.deliveries { sink.yield(delivery) }
            }
            if !current.isEmpty { logger.info("subscribed to a new upstream replica", metadata: ["endpoint": "\(endpoint)"]) }
        }
        guard !keepAllOf else { return }
        for (endpoint, subscriber) in current where !wanted.contains(endpoint) {
            live.withLock { _ = $0.removeValue(forKey: endpoint) }
            await subscriber.close()
            logger.info("upstream replica gone from DNS; unsubscribed", metadata: ["endpoint": "\(endpoint)"])
        }
    }

    /// Ends the merged stream after the deliveries already in it.
    public func finish() {
        refresher.withLock { $0?.cancel() }
        for subscriber in live.withLock({ Array($0.values) }) { subscriber.finish() }
        sink.finish()
    }
}

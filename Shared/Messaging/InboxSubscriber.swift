import Foundation
import Logging
import ZeroMQ

/// The consuming side of a reliable hop. Connects a DEALER to the producer's ROUTER, offers
/// `credits` (the number of unacknowledged messages it will hold) and repeats the offer every
/// second as its heartbeat. Deliveries arrive on `deliveries`; the service applies each in one
/// transaction that also records the message id in its inbox, and only then calls
/// `acknowledge` — never before the commit.
public final class InboxSubscriber: Sendable {
    private let loop: ZMQEventLoop
    private let endpoint: String
    private let instance: String
    private let credits: Int
    private let shard: Int?
    private let logger: Logger
    private let security: LinkSecurity
    private let state = SubscriberState()
    public let deliveries: InboxDeliveries
    private let sink: AsyncStream<Delivery>.Continuation
    private let closed = ClosedFlag()

    /// `security` is `.curveClient` with the producer's public key when the suite runs CURVE.
    public init(
        loop: ZMQEventLoop, endpoint: String, instance: String, credits: Int = 4, shard: Int? = nil, logger: Logger,
        security: LinkSecurity = .plain
    ) {
        self.loop = loop
        self.security = security
        self.endpoint = endpoint
        self.instance = instance
        self.credits = credits
        self.shard = shard
        self.logger = logger
        // Unbounded is safe: the producer never has more than `credits` messages outstanding here.
        let (stream, sink) = AsyncStream.makeStream(of: Delivery.self)
        self.sink = sink
        deliveries = InboxDeliveries(stream: stream, closed: closed)
    }

    public func start() async throws {
        let context = loop.context, endpoint = self.endpoint, state = self.state, sink = self.sink
        let logger = self.logger, security = self.security
        // A fresh routing id per start: the producer then treats a restarted consumer as new and
        // re-sends what the old one held once it times out.
        let identity = "\(instance)-\(MessageID.make().suffix(8))"
        let ready = WireFrame.encode(.ready, header: WireFrame.encodeJSON(ReadyHeader(credits: credits, instance: instance, shard: shard)))
        try await loop.perform { [self] loopState in
            let socket = try ZMQSocket(context: context, type: .dealer)
            try socket.setRoutingID(identity)
            try socket.setReconnectInterval(milliseconds: 100)
            try socket.apply(security)
            try socket.connect(endpoint)
            state.socket = socket
            state.socketID = loopState.add(socket) { frames in
                do {
                    let decoded = try WireFrame.decode(frames, routed: false)
                    guard decoded.command == .message else { return }
                    let header = try WireFrame.decodeHeader(decoded.header)
                    sink.yield(Delivery(header: header, body: decoded.body) { result in self.acknowledge(header.id, result: result) })
                } catch {
                    logger.warning("dropping malformed message from producer", metadata: ["error": "\(error)"])
                }
            }
            // Best effort: the connection may not be up yet, and the heartbeat below repeats
            // the offer every second (offerCredits notices when it keeps failing).
            try? socket.send(ready, dontWait: true)
            state.timers.append(loopState.every(milliseconds: 1000) { state.offerCredits(ready, endpoint: endpoint, logger: logger) })
            // ACKs that could not be handed to the socket (no connected peer for a moment, or a
            // full pipe) are tried again rather than dropped: a lost ACK costs a lease of waiting.
            state.timers.append(loopState.every(milliseconds: 50) { state.flushAcknowledgements() })
        }
        logger.info("inbox subscriber connected", metadata: ["endpoint": "\(endpoint)", "credits": "\(credits)", "curve": "\(security.isCurve)"])
    }

    /// Acknowledges a committed message; `result` travels back to the producer.
    public func acknowledge(_ messageID: String, result: Data = Data()) {
        let state = self.state
        let frames = WireFrame.encode(.ack, header: WireFrame.encodeJSON(AckHeader(id: messageID)), body: result)
        loop.execute { _ in
            state.pendingAcks.append(frames)
            state.flushAcknowledgements()
        }
    }

    /// Ends the delivery stream (the socket closes with the loop).
    public func finish() { sink.finish() }

    /// Disconnects for good and ends the delivery stream at once, dropping deliveries not yet
    /// taken: the producer is gone (its address left the DNS name), and whatever it had leased
    /// here it re-sends to another consumer.
    public func close() async {
        closed.set()
        let state = self.state
        // perform fails only once the loop has shut down, closing the socket and its timers
        // itself: nothing is left to undo then.
        try? await loop.perform { loopState in
            if let id = state.socketID { loopState.remove(id) }
            for timer in state.timers { loopState.cancel(timer) }
            state.timers.removeAll()
            state.socket = nil
            state.socketID = nil
            state.pendingAcks.removeAll()
        }
        sink.finish()
    }
}

/// Confined to the loop thread (see `PublisherState`).
final class SubscriberState: @unchecked Sendable {
    var socket: ZMQSocket?
    var socketID: SocketID?
    var timers: [TimerID] = []
    /// Acknowledgements not yet accepted by the socket, oldest first.
    var pendingAcks: [[Data]] = []
    /// Credit offers in a row the socket would not take, and reconnections made so far.
    var refusedOffers = 0
    var reconnections = 0

    /// Sends the credit offer (the consumer's heartbeat). An offer the socket will not take for
    /// 3 s in a row means it has no connection left — libzmq gives a connection up for good
    /// when its handshake fails (CURVE refused or on one side only) — so it connects anew: a
    /// producer fixed and restarted is then reached without restarting this consumer. While the
    /// producer is merely down, offers queue in the connection and nothing is redone.
    func offerCredits(_ ready: [Data], endpoint: String, logger: Logger) {
        guard let socket else { return }
        do {
            try socket.send(ready, dontWait: true)
            refusedOffers = 0
        } catch {
            refusedOffers += 1
            guard refusedOffers >= 3 else { return }
            refusedOffers = 0
            reconnections += 1
            // One line at the first failure, then one in twenty, so a link down for hours is visible but not noisy.
            if reconnections % 20 == 1 {
                logger.warning(
                    "no connection to producer (handshake refused: CURVE keys or CURVE on one side only?); connecting again",
                    metadata: ["endpoint": "\(endpoint)", "attempts": "\(reconnections)"])
            }
            do { try socket.reconnect(endpoint) } catch {
                // Tried again after the next three refused offers; say why this one failed.
                logger.warning("could not connect to producer again", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
            }
        }
    }

    func flushAcknowledgements() {
        guard let socket else { return }
        while let frames = pendingAcks.first {
            // Not lost: the acknowledgement stays first in line and is tried again in 50 ms.
            do { try socket.send(frames, dontWait: true) } catch { return }
            pendingAcks.removeFirst()
        }
    }
}

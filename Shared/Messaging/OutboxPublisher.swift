import Foundation
import GRDB
import Logging
import Synchronization
import ZeroMQ

/// The producing side of a reliable hop. Binds a ROUTER; consumers (any number of replicas)
/// connect DEALERs and ask for work with credits. Outbox rows are sent in `seq` order, kept in
/// flight until acknowledged, and sent again when their consumer goes silent or the lease
/// expires. A row is deleted only after its ACK — so a crash anywhere yields a re-send, never
/// a loss, and the consumer's inbox makes the re-send harmless.
public final class OutboxPublisher: Sendable {
    public struct Options: Sendable {
        /// Re-send a message not acknowledged within this time.
        public var leaseMilliseconds: Int64 = 15_000
        /// A consumer silent this long is gone; its messages go to others.
        public var consumerTimeoutMilliseconds: Int64 = 3_000
        /// How often the outbox is read again from its start (see `PublisherState.expire`).
        public var rescanMilliseconds: Int64 = 5_000
        /// How many rows to hold in memory beyond those in flight.
        public var prefetch: Int = 32
        public init() {}
    }

    private let loop: ZMQEventLoop
    private let endpoint: String
    private let database: any DatabaseWriter
    private let logger: Logger
    private let options: Options
    private let security: LinkSecurity
    private let state: PublisherState
    private let acknowledged = Mutex<[Acknowledgement]>([])
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    /// `security` is `.curveServer` when the suite runs CURVE; the ZAP handler of the loop's
    /// context then decides which consumers get in.
    public init(
        loop: ZMQEventLoop, endpoint: String, database: any DatabaseWriter, logger: Logger, options: Options = Options(),
        security: LinkSecurity = .plain
    ) {
        self.loop = loop
        self.security = security
        self.endpoint = endpoint
        self.database = database
        self.logger = logger
        self.options = options
        self.state = PublisherState()
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Binds the socket and starts sending.
    public func start() async throws {
        let state = self.state, database = self.database, logger = self.logger, options = self.options
        let context = loop.context, endpoint = self.endpoint, signal = self.signal, security = self.security
        try await loop.perform { [self] loopState in
            let socket = try ZMQSocket(context: context, type: .router)
            try socket.setRouterMandatory()
            try socket.apply(security)
            try socket.bind(endpoint)
            state.socket = socket
            loopState.add(socket) { [self] frames in
                state.receive(frames, logger: logger) { ack in
                    self.acknowledged.withLock { $0.append(ack) }
                    signal.yield()
                }
                state.dispatch(database: database, logger: logger, options: options)
            }
            loopState.every(milliseconds: 100) {
                state.expire(options: options, logger: logger)
                state.dispatch(database: database, logger: logger, options: options)
            }
        }
        logger.info("outbox publisher listening", metadata: ["endpoint": "\(endpoint)", "curve": "\(security.isCurve)"])
    }

    /// Tells the publisher new rows were committed, so it need not wait for its next tick.
    public func notify() {
        let state = self.state, database = self.database, logger = self.logger, options = self.options
        loop.execute { _ in state.dispatch(database: database, logger: logger, options: options) }
    }

    /// Deletes acknowledged rows, in batches, until `finish()`. `onAcknowledged` runs inside
    /// the same transaction, for stages that keep the consumer's result; `afterCommit` runs once
    /// that transaction has committed.
    public func runAcknowledgements(
        onAcknowledged: (@Sendable (Database, [Acknowledgement]) throws -> Void)? = nil,
        afterCommit: (@Sendable ([Acknowledgement]) async -> Void)? = nil
    ) async {
        for await _ in signals {
            let done = acknowledged.withLock { pending -> [Acknowledgement] in
                let taken = pending
                pending.removeAll(keepingCapacity: true)
                return taken
            }
            if done.isEmpty { continue }
            do {
                try await database.write { db in
                    for ack in done {
                        // Raw SQL as in MessageStore: once per acknowledged message of every hop.
                        try db.execute(sql: "DELETE FROM outbox WHERE message_id = ?", arguments: [ack.messageID])
                    }
                    try onAcknowledged?(db, done)
                }
                await afterCommit?(done)
            } catch {
                // The rows stay; they are re-sent after a restart and de-duplicated downstream.
                logger.error("could not delete acknowledged outbox rows", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Stops accepting ACKs (the socket closes with the loop).
    public func finish() { signal.finish() }

    /// Counts for health and metrics: messages in flight and consumers connected.
    public func snapshot() async -> (inFlight: Int, consumers: Int, sent: Int, resent: Int) {
        let state = self.state
        // perform fails only once the loop has shut down, with the socket and every count:
        // nothing is in flight then.
        return (try? await loop.perform { _ in
            (state.inFlight.count, state.consumers.count, state.sentTotal, state.resentTotal)
        }) ?? (0, 0, 0, 0)
    }
}

/// Publisher bookkeeping. Confined to the loop thread: every access happens inside a loop job,
/// handler or timer, which is why it may be marked `@unchecked Sendable`.
final class PublisherState: @unchecked Sendable {
    struct Item {
        let seq: Int64
        let id: String
        let header: Data
        let body: Data
        let shard: Int?
    }

    struct Consumer {
        var credits: Int
        var lastSeen: Int64
        var shard: Int?
        var inFlight: Set<String> = []
    }

    var socket: ZMQSocket?
    var consumers: [Data: Consumer] = [:]
    var ready: [Item] = []
    var inFlight: [String: (consumer: Data, sentAt: Int64, item: Item)] = [:]
    /// Per shard (nil: unaddressed), the highest `seq` read from the outbox so far.
    var loadedUpTo: [Int?: Int64] = [:]
    var sentTotal = 0
    private var lastRescan = LoopState.now()
    /// Ids acknowledged in this rescan period and the one before: their rows may not be deleted
    /// yet, and a rescan must not send them again.
    private var acknowledged: (current: Set<String>, previous: Set<String>) = ([], [])
    var resentTotal = 0
    private var order: [Data] = []
    private var turn = 0

    func receive(_ frames: [Data], logger: Logger, onAck: (Acknowledgement) -> Void) {
        let decoded: (route: [Data], command: WireCommand, header: Data, body: Data)
        do { decoded = try WireFrame.decode(frames, routed: true) } catch {
            logger.warning("dropping malformed frame from consumer", metadata: ["error": "\(error)"])
            return
        }
        let identity = decoded.route[0]
        let now = LoopState.now()
        switch decoded.command {
        case .ready:
            let ready: ReadyHeader
            do { ready = try JSONDecoder().decode(ReadyHeader.self, from: decoded.header) } catch {
                // The consumer gets no messages until it offers credit we can read: say why.
                logger.warning("ignoring a credit offer whose header does not decode", metadata: ["error": "\(error)"])
                return
            }
            if consumers[identity] == nil {
                logger.info(
                    "consumer joined",
                    metadata: ["consumer": "\(ready.instance)", "credits": "\(ready.credits)", "shard": "\(ready.shard.map(String.init) ?? "any")"])
                order.append(identity)
            }
            consumers[identity, default: Consumer(credits: ready.credits, lastSeen: now, shard: ready.shard)].credits = max(1, ready.credits)
            consumers[identity]?.lastSeen = now
        case .ack:
            let ack: AckHeader
            do { ack = try JSONDecoder().decode(AckHeader.self, from: decoded.header) } catch {
                // The message stays in flight and is sent again when its lease expires.
                logger.warning("ignoring an acknowledgement whose header does not decode; its message will be re-sent", metadata: ["error": "\(error)"])
                return
            }
            consumers[identity]?.lastSeen = now
            consumers[identity]?.inFlight.remove(ack.id)
            if let entry = inFlight.removeValue(forKey: ack.id), entry.consumer != identity {
                consumers[entry.consumer]?.inFlight.remove(ack.id)
            }
            // An ACK for a message queued for re-sending still proves it was committed.
            ready.removeAll { $0.id == ack.id }
            acknowledged.current.insert(ack.id)
            onAck(Acknowledgement(messageID: ack.id, result: decoded.body))
        default:
            logger.warning("unexpected command from consumer", metadata: ["command": "\(decoded.command.rawValue)"])
        }
    }

    func expire(options: OutboxPublisher.Options, logger: Logger) {
        let now = LoopState.now()
        // The outbox on disk is the truth; what is in memory is a cache of it. Re-reading it from
        // the start now and then means no bookkeeping slip can strand a message until a restart.
        if now - lastRescan > options.rescanMilliseconds {
            lastRescan = now
            loadedUpTo.removeAll()
            acknowledged = ([], acknowledged.current)
        }
        for (identity, consumer) in consumers where now - consumer.lastSeen > options.consumerTimeoutMilliseconds {
            logger.warning("consumer went silent; re-sending its messages", metadata: ["in_flight": "\(consumer.inFlight.count)"])
            consumers.removeValue(forKey: identity)
            order.removeAll { $0 == identity }
            requeue(consumer.inFlight)
        }
        let stale = inFlight.filter { now - $0.value.sentAt > options.leaseMilliseconds }.map(\.key)
        if !stale.isEmpty {
            logger.warning("lease expired; re-sending", metadata: ["messages": "\(stale.count)"])
            for id in stale {
                if let entry = inFlight[id] { consumers[entry.consumer]?.inFlight.remove(id) }
            }
            requeue(Set(stale))
        }
    }

    private func requeue(_ ids: Set<String>) {
        let items = ids.compactMap { inFlight.removeValue(forKey: $0)?.item }
        guard !items.isEmpty else { return }
        resentTotal += items.count
        ready = items.sorted { $0.seq < $1.seq } + ready
    }

    /// Hands ready messages to consumers with free credit, in `seq` order per shard: a message
    /// addressed to a shard goes only to the consumer owning it; one addressed to none, to any.
    func dispatch(database: any DatabaseWriter, logger: Logger, options: OutboxPublisher.Options) {
        guard let socket, !order.isEmpty else { return }
        // Read ahead only for shards a live consumer owns: a shard whose replica is down keeps
        // its messages on disk instead of filling memory and starving the others.
        // Unaddressed messages go to any consumer, one that owns a shard too: a replica that
        // claimed the only shard of a one-shard stage (`--shard auto --shards 1`, as compose runs
        // it) announces shard 0, while its producer, not sharded, addresses nobody.
        var free: [Int?: Int] = [:]
        for consumer in consumers.values {
            let credit = max(0, consumer.credits - consumer.inFlight.count)
            free[consumer.shard, default: 0] += credit
            if consumer.shard != nil { free[nil, default: 0] += credit }
        }
        for (shard, credit) in free {
            let buffered = ready.reduce(0) { $0 + ($1.shard == shard ? 1 : 0) }
            if buffered < credit + options.prefetch / 2 {
                load(database: database, shard: shard, limit: credit + options.prefetch - buffered, logger: logger)
            }
        }
        var waiting: [Item] = []
        var blockedShards = Set<Int?>()
        for item in ready {
            // Keep per-shard order: once a shard's message must wait, its later ones wait too.
            guard !blockedShards.contains(item.shard), let identity = nextConsumer(for: item.shard) else {
                blockedShards.insert(item.shard)
                waiting.append(item)
                continue
            }
            do {
                try socket.send([identity] + WireFrame.encode(.message, header: item.header, body: item.body), dontWait: true)
            } catch {
                waiting.append(item)
                blockedShards.insert(item.shard)
                if error == .unroutable, let consumer = consumers.removeValue(forKey: identity) {
                    order.removeAll { $0 == identity }
                    let lost = consumer.inFlight.compactMap { inFlight.removeValue(forKey: $0)?.item }
                    resentTotal += lost.count
                    waiting = (lost + waiting).sorted { $0.seq < $1.seq }
                }
                // The rest of this shard's messages wait behind this one (blockedShards).
                continue
            }
            sentTotal += 1
            consumers[identity]?.inFlight.insert(item.id)
            inFlight[item.id] = (identity, LoopState.now(), item)
        }
        ready = waiting
    }

    /// The next consumer, round-robin, with free credit that may take a message of `shard`.
    private func nextConsumer(for shard: Int?) -> Data? {
        guard !order.isEmpty else { return nil }
        for step in 1...order.count {
            let identity = order[(turn + step) % order.count]
            guard let consumer = consumers[identity], consumer.inFlight.count < consumer.credits else { continue }
            if let shard, consumer.shard != shard { continue }
            turn = (turn + step) % order.count
            return identity
        }
        return nil
    }

    private func load(database: any DatabaseWriter, shard: Int?, limit: Int, logger: Logger) {
        guard limit > 0 else { return }
        do {
            let after = loadedUpTo[shard] ?? 0
            // Raw SQL as in MessageStore: the publisher reads every message of every hop here.
            let rows = try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT seq, message_id, header, body, shard FROM outbox
                        WHERE seq > ? AND shard IS ? ORDER BY seq LIMIT ?
                        """,
                    arguments: [after, shard, limit])
            }
            var loaded: [Item] = []
            let held = Set(ready.map(\.id))
            for row in rows {
                let item = Item(seq: row["seq"], id: row["message_id"], header: row["header"], body: row["body"], shard: row["shard"])
                loadedUpTo[shard] = max(loadedUpTo[shard] ?? 0, item.seq)
                if inFlight[item.id] == nil, !held.contains(item.id), !acknowledged.current.contains(item.id),
                    !acknowledged.previous.contains(item.id)
                {
                    loaded.append(item)
                }
            }
            if !loaded.isEmpty { ready = (ready + loaded).sorted { $0.seq < $1.seq } }
        } catch {
            logger.error("could not read the outbox", metadata: ["error": "\(error)"])
        }
    }
}

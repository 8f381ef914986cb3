import Foundation
import GRDB
import Logging
import Synchronization
import TestPorts
import Testing
import ZeroMQ

@testable import Messaging

/// The reliable hop between a real outbox (SQLite file) and subscribers over TCP loopback.
@Suite struct ReliableHopTests {
    struct Harness {
        /// Ports for these tests: between the integration suites' range (20,000–32,000) and
        /// Linux's ephemeral range (from 32,768), so neither another suite nor an outgoing
        /// connection holds one; handed out once each per test process, in turn.
        static let port = Mutex(PortCounter())

        struct PortCounter {
            var last = 32_100 + Int.random(in: 0..<300)
            /// The next port no other test process on the machine holds (`MachinePorts`).
            mutating func next() -> Int {
                repeat {
                    last = last >= 32_700 ? 32_100 : last + 1
                } while !MachinePorts.claim(last)
                return last
            }
        }

        let context: ZMQContext
        let loop: ZMQEventLoop
        let database: DatabasePool
        let folder: URL
        let endpoint: String

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("hop-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            database = try DatabasePool(path: folder.appendingPathComponent("outbox.sqlite").path)
            var migrator = DatabaseMigrator()
            MessageStore.registerMigrations(&migrator)
            try migrator.migrate(database)
            context = try ZMQContext()
            loop = try ZMQEventLoop(context: context, name: "hop")
            loop.start()
            endpoint = "tcp://127.0.0.1:\(Harness.port.withLock { $0.next() })"
        }

        func enqueue(_ count: Int) async throws -> [String] {
            try await database.write { db in
                try (0..<count).map { i in
                    let header = EnvelopeHeader(type: "test.v1", source: MessageSource(service: "t", instance: "1"))
                    try MessageStore.enqueue(db, header: header, body: Data("message \(i) ✓".utf8))
                    return header.id
                }
            }
        }

        /// The outbox publisher on `endpoint`, with a short consumer timeout, and its ACK loop.
        func startPublisher(consumerTimeoutMilliseconds: Int64, logger: Logger) async throws -> (OutboxPublisher, Task<Void, Never>) {
            var options = OutboxPublisher.Options()
            options.consumerTimeoutMilliseconds = consumerTimeoutMilliseconds
            let publisher = OutboxPublisher(loop: loop, endpoint: endpoint, database: database, logger: logger, options: options)
            try await publisher.start()
            return (publisher, Task { await publisher.runAcknowledgements() })
        }

        /// A new consumer that takes and acknowledges messages until it has `count` distinct ones.
        func acknowledgeAll(_ count: Int, as instance: String, logger: Logger) async throws -> Set<String> {
            let consumer = InboxSubscriber(loop: loop, endpoint: endpoint, instance: instance, credits: 10, logger: logger)
            try await consumer.start()
            var received = Set<String>()
            for await delivery in consumer.deliveries {
                received.insert(delivery.header.id)
                consumer.acknowledge(delivery.header.id)
                if received.count == count { break }
            }
            return received
        }

        func close() async {
            await loop.shutdown()
            context.terminate()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    @Test func everyMessageArrivesInOrderAndAcknowledgedRowsAreDeleted() async throws {
        let h = try Harness()
        let logger = Logger(label: "test")
        let publisher = OutboxPublisher(loop: h.loop, endpoint: h.endpoint, database: h.database, logger: logger)
        try await publisher.start()
        let acks = Task { await publisher.runAcknowledgements() }
        let ids = try await h.enqueue(50)
        let subscriber = InboxSubscriber(loop: h.loop, endpoint: h.endpoint, instance: "consumer", credits: 4, logger: logger)
        try await subscriber.start()
        // Delivery is at least once: a publisher that misses the consumer's heartbeat for its
        // timeout (a starved machine) re-sends, and consumers drop repeats by id, as every
        // service's inbox does. What must hold: each message arrives, first in outbox order.
        var firstSeen: [String] = []
        var seen = Set<String>()
        for await delivery in subscriber.deliveries {
            if seen.insert(delivery.header.id).inserted { firstSeen.append(delivery.header.id) }
            subscriber.acknowledge(delivery.header.id)
            if firstSeen.count == ids.count { break }
        }
        #expect(firstSeen == ids)
        for _ in 0..<1_000 {
            if try await h.database.read({ try MessageStore.outboxCount($0) }) == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await h.database.read { try MessageStore.outboxCount($0) } == 0)
        publisher.finish()
        await acks.value
        await h.close()
    }

    @Test func unacknowledgedMessagesGoToAnotherConsumerWhenTheirsGoesSilent() async throws {
        let h = try Harness()
        let logger = Logger(label: "test")
        let (publisher, acks) = try await h.startPublisher(consumerTimeoutMilliseconds: 500, logger: logger)
        let ids = try await h.enqueue(3)

        // A consumer that takes messages and never acknowledges: its own loop, shut down mid-work
        // like a killed process.
        let deadContext = try ZMQContext()
        let deadLoop = try ZMQEventLoop(context: deadContext, name: "dead")
        deadLoop.start()
        let dead = InboxSubscriber(loop: deadLoop, endpoint: h.endpoint, instance: "dead", credits: 10, logger: logger)
        try await dead.start()
        var taken = 0
        for await _ in dead.deliveries {
            taken += 1
            if taken == ids.count { break }
        }
        await deadLoop.shutdown()
        deadContext.terminate()

        let redelivered = try await h.acknowledgeAll(ids.count, as: "survivor", logger: logger)
        #expect(redelivered == Set(ids))
        let snapshot = await publisher.snapshot()
        #expect(snapshot.resent >= ids.count)
        publisher.finish()
        await acks.value
        await h.close()
    }

    /// `close()` (a producer gone from DNS) disconnects for good, in the same process and loop:
    /// no more credit offers, so what it held goes to another consumer, and its stream ends.
    @Test func aClosedSubscriberStopsOfferingAndItsMessagesGoToAnother() async throws {
        let h = try Harness()
        let logger = Logger(label: "test")
        let (publisher, acks) = try await h.startPublisher(consumerTimeoutMilliseconds: 500, logger: logger)
        let ids = try await h.enqueue(3)
        let closed = InboxSubscriber(loop: h.loop, endpoint: h.endpoint, instance: "closed", credits: 10, logger: logger)
        try await closed.start()
        var taken = 0
        for await _ in closed.deliveries {
            taken += 1
            if taken == ids.count { break }
        }
        await closed.close()
        var afterClose = 0
        for await _ in closed.deliveries { afterClose += 1 }
        #expect(afterClose == 0, "the stream of a closed subscriber ends")

        let redelivered = try await h.acknowledgeAll(ids.count, as: "survivor", logger: logger)
        #expect(redelivered == Set(ids))
        publisher.finish()
        await acks.value
        await h.close()
    }

    /// A replica that claimed the only shard of a one-shard stage (`--shard auto --shards 1`, as
    /// compose runs every stage) announces shard 0; its producer, not sharded, writes unaddressed
    /// rows. Those go to any consumer, that one included (they once waited forever).
    @Test func aConsumerOwningAShardAlsoTakesUnaddressedMessages() async throws {
        let h = try Harness()
        let logger = Logger(label: "test")
        let (publisher, acks) = try await h.startPublisher(consumerTimeoutMilliseconds: 5_000, logger: logger)
        let ids = try await h.enqueue(5)
        let consumer = InboxSubscriber(loop: h.loop, endpoint: h.endpoint, instance: "shard-0", credits: 2, shard: 0, logger: logger)
        try await consumer.start()
        // Bounded: a regression leaves the stream silent, so stop listening after 20 s.
        let closer = Task {
            try? await Task.sleep(for: .seconds(20))
            await consumer.close()
        }
        var received = Set<String>()
        for await delivery in consumer.deliveries {
            received.insert(delivery.header.id)
            consumer.acknowledge(delivery.header.id)
            if received.count == ids.count { break }
        }
        closer.cancel()
        #expect(received == Set(ids))
        publisher.finish()
        await acks.value
        await h.close()
    }

    @Test func requestsGetRepliesAndUnknownEndpointsTimeOut() async throws {
        let h = try Harness()
        let logger = Logger(label: "test")
        let server = RequestServer(loop: h.loop, endpoint: h.endpoint, source: MessageSource(service: "s", instance: "1"), logger: logger) {
            request in
            request.header.type == "echo.v1" ? Reply(body: request.body) : .failure(404, "no such thing")
        }
        try await server.start()
        let client = RequestClient(loop: h.loop, endpoint: h.endpoint, source: MessageSource(service: "c", instance: "1"))
        try await client.start()
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
        // Generous timeouts: this checks that replies arrive, not how fast on a loaded machine.
        let reply = try await client.request(type: "echo.v1", body: big, timeoutMilliseconds: 60_000)
        #expect(reply.body == big)
        #expect(reply.header.status == 200)
        await #expect(throws: RequestError.self) { _ = try await client.request(type: "other.v1", timeoutMilliseconds: 60_000) }

        let nowhere = RequestClient(loop: h.loop, endpoint: "tcp://127.0.0.1:1", source: MessageSource(service: "c", instance: "2"))
        try await nowhere.start()
        await #expect(throws: RequestError.self) { _ = try await nowhere.request(type: "echo.v1", timeoutMilliseconds: 200) }
        await h.close()
    }
}

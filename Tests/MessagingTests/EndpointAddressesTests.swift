import Foundation
import Logging
import Testing
import ZeroMQ

@testable import Messaging

/// `dns+tcp://name:port`: every address of a name, for consumers of a scaled-out service.
@Suite struct EndpointAddressesTests {
    @Test func plainEndpointsPassThroughAndDNSEntriesAreParsed() throws {
        #expect(try EndpointAddresses.parse(" tcp://10.0.0.2:5562 ") == .fixed("tcp://10.0.0.2:5562"))
        #expect(try EndpointAddresses.parse("dns+tcp://preprocessor:5562") == .everyAddress(host: "preprocessor", port: 5562))
        #expect(try EndpointAddresses.parseList("tcp://a:1, ,dns+tcp://b:2") == [.fixed("tcp://a:1"), .everyAddress(host: "b", port: 2)])
    }

    @Test(arguments: ["dns+tcp://preprocessor", "dns+tcp://:5562", "dns+tcp://preprocessor:0", "dns+tcp://preprocessor:70000", "dns+tcp://p:x"])
    func aMalformedDNSEntryIsRefusedNamingIt(_ entry: String) {
        #expect(throws: EndpointAddressError.self) { try EndpointAddresses.parse(entry) }
        do { _ = try EndpointAddresses.parse(entry) } catch { #expect(error.description.contains(entry)) }
    }

    @Test func aNameResolvesToEachOfItsIPv4Addresses() {
        #expect(EndpointAddresses.everyAddress(host: "localhost", port: 5562).endpoints() == ["tcp://127.0.0.1:5562"])
        #expect(EndpointAddresses.everyAddress(host: "127.0.0.1", port: 9).endpoints() == ["tcp://127.0.0.1:9"])
        // A name that does not resolve gives nothing now; the subscriptions ask again later.
        #expect(EndpointAddresses.everyAddress(host: "no-such-host.invalid", port: 1).endpoints() == [])
    }

    @Test func subscriptionsThroughADNSNameReceiveFromTheProducer() async throws {
        let h = try ReliableHopTests.Harness()
        let logger = Logger(label: "test")
        let publisher = OutboxPublisher(loop: h.loop, endpoint: h.endpoint, database: h.database, logger: logger)
        try await publisher.start()
        let acks = Task { await publisher.runAcknowledgements() }
        let port = try #require(h.endpoint.split(separator: ":").last)
        let subscriptions = try UpstreamSubscriptions(
            loop: h.loop, endpoints: "dns+tcp://localhost:\(port)", instance: "dns-test", logger: logger, refreshSeconds: 0.2)
        try await subscriptions.start()
        #expect(subscriptions.connectedEndpoints == ["tcp://127.0.0.1:\(port)"])
        let ids = try await h.enqueue(3)
        var received: [String] = []
        for await delivery in subscriptions.deliveries {
            received.append(delivery.header.id)
            delivery.acknowledge(Data())
            if received.count == ids.count { break }
        }
        #expect(received == ids)
        // Refreshing finds the same single address: no second subscription to the same producer.
        try await Task.sleep(for: .milliseconds(500))
        #expect(subscriptions.connectedEndpoints == ["tcp://127.0.0.1:\(port)"])
        subscriptions.finish()
        publisher.finish()
        await acks.value
        await h.close()
    }
}

import Foundation
import Testing

@testable import ZeroMQ

/// Direct socket tests on one thread: framing must survive any size and any bytes.
@Suite struct ZMQSocketTests {
    private func pair(_ context: ZMQContext, _ name: String) throws -> (ZMQSocket, ZMQSocket) {
        let server = try ZMQSocket(context: context, type: .router)
        try server.bind("inproc://\(name)")
        let client = try ZMQSocket(context: context, type: .dealer)
        try client.setRoutingID("client-1")
        try client.connect("inproc://\(name)")
        return (server, client)
    }

    @Test func multipartRoundTripKeepsFramesAndRoutingID() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let (server, client) = try pair(context, "multipart")
        defer { server.close(); client.close() }
        try client.send(strings: ["CM01", "MSG", "", "body"])
        let frames = try #require(try server.receive())
        #expect(frames.count == 5)
        #expect(String(decoding: frames[0], as: UTF8.self) == "client-1")
        #expect(frames[3].isEmpty)
        #expect(String(decoding: frames[4], as: UTF8.self) == "body")
        try server.send([frames[0], Data("reply".utf8)])
        let reply = try #require(try client.receive())
        #expect(reply == [Data("reply".utf8)])
    }

    @Test(arguments: [0, 1, 255, 256, 257, 4096, 1_048_576, 1_048_577, 3 * 1_048_576 + 17])
    func framesOfAnySizeArriveWhole(size: Int) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let (server, client) = try pair(context, "size-\(size)")
        defer { server.close(); client.close() }
        let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try client.send([Data("head".utf8), payload])
        let frames = try #require(try server.receive())
        #expect(frames.count == 3)
        #expect(frames[2].count == size)
        #expect(frames[2] == payload)
    }

    @Test func nonASCIITextIsSentAsUTF8Bytes() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let (server, client) = try pair(context, "utf8")
        defer { server.close(); client.close() }
        let text = "北京-1 站点 · CO₂e 🌍 émissions"
        try client.send(strings: [text])
        let frames = try #require(try server.receive())
        #expect(frames[1].count == text.utf8.count)
        #expect(String(decoding: frames[1], as: UTF8.self) == text)
    }

    @Test func receiveWithoutWaitingReturnsNilWhenEmpty() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let (server, client) = try pair(context, "empty")
        defer { server.close(); client.close() }
        #expect(try server.receive(dontWait: true) == nil)
    }

    @Test func routerMandatoryReportsUnknownPeer() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let server = try ZMQSocket(context: context, type: .router)
        defer { server.close() }
        try server.setRouterMandatory()
        try server.bind("inproc://mandatory")
        #expect(throws: ZMQError.unroutable) {
            try server.send([Data("nobody".utf8), Data("x".utf8)], dontWait: true)
        }
    }

    @Test func bindingATakenPortSaysAddressInUse() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let first = try ZMQSocket(context: context, type: .router)
        defer { first.close() }
        try first.bind("tcp://127.0.0.1:0")
        let endpoint = try first.lastEndpoint()
        let second = try ZMQSocket(context: context, type: .router)
        defer { second.close() }
        #expect(throws: ZMQError.addressInUse(endpoint: endpoint)) { try second.bind(endpoint) }
    }

    @Test func tcpLoopbackMultipart() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let server = try ZMQSocket(context: context, type: .router)
        defer { server.close() }
        try server.bind("tcp://127.0.0.1:0")
        let client = try ZMQSocket(context: context, type: .dealer)
        defer { client.close() }
        try client.connect(try server.lastEndpoint())
        let big = Data(repeating: 0xAB, count: 2 * 1_048_576)
        try client.send([Data("a".utf8), big, Data("z".utf8)])
        let frames = try #require(try server.receive())
        #expect(frames.count == 4)
        #expect(frames[2] == big)
    }
}

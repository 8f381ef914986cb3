import Foundation
import Logging
import Testing

@testable import ZeroMQ

/// CURVE over real TCP sockets on loopback: the server's context runs a real ZAP handler on a
/// real event loop; the client lives in a context of its own, as in another process.
@Suite struct CurveLinkTests {
    /// A CURVE server (ROUTER) whose ZAP handler admits `allowed`, bound to a free port.
    final class Server {
        let context: ZMQContext
        let loop: ZMQEventLoop
        let handler: ZAPHandler
        let socket: ZMQSocket
        let endpoint: String

        init(keys: CurveKeyPair, allowed: Set<CurveKey>, security: LinkSecurity? = nil) throws {
            context = try ZMQContext()
            loop = try ZMQEventLoop(context: context, name: "zap-test")
            loop.start()
            handler = try ZAPHandler(loop: loop, allowed: allowed, logger: Logger(label: "zap-test"))
            socket = try ZMQSocket(context: context, type: .router)
            try socket.apply(security ?? .curveServer(keys))
            try socket.setReceiveTimeout(milliseconds: 1_500)
            try socket.bind("tcp://127.0.0.1:*")
            endpoint = try socket.lastEndpoint()
        }

        func close() async {
            socket.close()
            await loop.shutdown()
            context.terminate()
        }
    }

    /// A DEALER in its own context that sends one message as soon as it is connected.
    final class Client {
        let context: ZMQContext
        let socket: ZMQSocket

        init(endpoint: String, security: LinkSecurity) throws {
            context = try ZMQContext()
            socket = try ZMQSocket(context: context, type: .dealer)
            try socket.apply(security)
            try socket.setReceiveTimeout(milliseconds: 1_500)
            try socket.setRoutingID("client")
            try socket.connect(endpoint)
        }

        func close() {
            socket.close()
            context.terminate()
        }
    }

    /// Waits for the server to receive a message, for up to `seconds`.
    private func receive(_ socket: ZMQSocket, seconds: Double) -> [Data]? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            do { if let frames = try socket.receive() { return frames } } catch { continue }
        }
        return nil
    }

    @Test func z85RoundTripAndRejectsMalformedText() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.count == 40)
        #expect(try CurveKey(z85: pair.publicKey.z85 + "\n") == pair.publicKey)
        // The public key derived from the secret one is the generated public key.
        #expect(try CurveKeyPair(secretKey: pair.secretKey).publicKey == pair.publicKey)
        #expect(throws: CurveKeyError.wrongTextLength(39)) { try CurveKey(z85: String(pair.publicKey.z85.dropLast())) }
        // '"' is not in the Z85 alphabet.
        #expect(throws: CurveKeyError.notZ85) { try CurveKey(z85: "\"" + String(pair.publicKey.z85.dropFirst())) }
        #expect(throws: CurveKeyError.wrongByteCount(31)) { try CurveKey(bytes: Array(repeating: 0, count: 31)) }
        // The description of a key pair never shows the secret key.
        #expect(!"\(pair)".contains(pair.secretKey.z85))
        #expect(CurveKeyPair.isSupported)
    }

    @Test func curvePairExchangesMessagesBothWays() async throws {
        let serverKeys = try CurveKeyPair.generate(), clientKeys = try CurveKeyPair.generate()
        let server = try Server(keys: serverKeys, allowed: [clientKeys.publicKey])
        let client = try Client(endpoint: server.endpoint, security: .curveClient(clientKeys, serverKey: serverKeys.publicKey))
        try client.socket.send(strings: ["hello over CURVE"])
        let frames = try #require(receive(server.socket, seconds: 10))
        #expect(frames == [Data("client".utf8), Data("hello over CURVE".utf8)])
        try server.socket.send([frames[0], Data("reply".utf8)])
        let reply = try #require(receive(client.socket, seconds: 10))
        #expect(reply == [Data("reply".utf8)])
        #expect(server.handler.admitted >= 1)
        #expect(server.handler.refused == 0)
        client.close()
        await server.close()
    }

    @Test func clientWithKeyNotOnTheAllowListGetsNothingThrough() async throws {
        let serverKeys = try CurveKeyPair.generate(), allowedKeys = try CurveKeyPair.generate()
        let strangerKeys = try CurveKeyPair.generate()
        let server = try Server(keys: serverKeys, allowed: [allowedKeys.publicKey])
        let stranger = try Client(endpoint: server.endpoint, security: .curveClient(strangerKeys, serverKey: serverKeys.publicKey))
        try stranger.socket.send(strings: ["let me in"], dontWait: true)
        #expect(receive(server.socket, seconds: 3) == nil)
        // The handler was asked and said no (so the silence is the allow-list's doing).
        #expect(server.handler.refused >= 1)
        #expect(server.handler.admitted == 0)
        stranger.close()
        await server.close()
    }

    @Test func plainClientCannotTalkToCurveServer() async throws {
        let serverKeys = try CurveKeyPair.generate()
        let server = try Server(keys: serverKeys, allowed: [])
        let plain = try Client(endpoint: server.endpoint, security: .plain)
        try plain.socket.send(strings: ["in the clear"], dontWait: true)
        #expect(receive(server.socket, seconds: 3) == nil)
        plain.close()
        await server.close()
    }

    @Test func curveClientWithTheWrongServerKeyFails() async throws {
        let serverKeys = try CurveKeyPair.generate(), clientKeys = try CurveKeyPair.generate()
        let impostor = try CurveKeyPair.generate()
        let server = try Server(keys: serverKeys, allowed: [clientKeys.publicKey])
        let client = try Client(endpoint: server.endpoint, security: .curveClient(clientKeys, serverKey: impostor.publicKey))
        try client.socket.send(strings: ["to whom?"], dontWait: true)
        #expect(receive(server.socket, seconds: 3) == nil)
        // The handshake failed before the server could even learn the client's key.
        #expect(server.handler.admitted == 0)
        client.close()
        await server.close()
    }

    /// The collector's ingest endpoint stays plaintext in a context that has a ZAP handler: a
    /// server without a ZAP domain never consults the handler.
    @Test func plainServerInContextWithHandlerStillServesPlainClients() async throws {
        let server = try Server(keys: try CurveKeyPair.generate(), allowed: [], security: .plain)
        let plain = try Client(endpoint: server.endpoint, security: .plain)
        try plain.socket.send(strings: ["plain ingest"])
        let frames = try #require(receive(server.socket, seconds: 10))
        #expect(frames.last == Data("plain ingest".utf8))
        #expect(server.handler.refused == 0)
        plain.close()
        await server.close()
    }

    @Test func zapRequestParsingFollowsRFC27() throws {
        let key = try CurveKeyPair.generate().publicKey
        let frames = ["1.0", "7", "carbonmeter", "127.0.0.1", "", "CURVE"].map { Data($0.utf8) } + [Data(key.bytes)]
        let request = try #require(ZAPRequest(frames: frames))
        #expect(request.curveClientKey == key)
        #expect(request.domain == "carbonmeter")
        let reply = request.reply(status: 400, text: "no")
        #expect(reply.map { String(decoding: $0, as: UTF8.self) } == ["1.0", "7", "400", "no", "", ""])
        #expect(ZAPRequest(frames: Array(frames.prefix(5))) == nil)
    }
}

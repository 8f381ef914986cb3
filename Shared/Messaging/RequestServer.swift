import Foundation
import Logging
import Synchronization
import ZeroMQ

/// A request handled by a `RequestServer`.
public struct Request: Sendable {
    public var header: EnvelopeHeader
    public var body: Data
}

/// A reply: status 200 with a body, or an error status with a message.
public struct Reply: Sendable {
    public var status: Int
    public var body: Data
    public var error: String?

    public init(status: Int = 200, body: Data = Data(), error: String? = nil) {
        self.status = status
        self.body = body
        self.error = error
    }

    public static func json<T: Encodable>(_ value: T) -> Reply { Reply(body: WireFrame.encodeJSON(value)) }
    public static func failure(_ status: Int, _ message: String) -> Reply { Reply(status: status, error: message) }
}

/// Answers `CM01` requests on a bound ROUTER: control queries (status), identity checks,
/// and the ZeroMQ ingest endpoint. Clients may be DEALERs or REQs (the empty delimiter frame a
/// REQ adds is kept and returned). Each request runs as its own task; at most `maxConcurrent`
/// run at once and the rest are answered 503 so a flood cannot exhaust memory.
public final class RequestServer: Sendable {
    public typealias Handler = @Sendable (Request) async -> Reply

    private let loop: ZMQEventLoop
    private let endpoint: String
    private let source: MessageSource
    private let logger: Logger
    private let handler: Handler
    private let maxConcurrent: Int
    private let security: LinkSecurity
    private let running = Atomic<Int>(0)
    private let state = SubscriberState()

    /// `security` is `.curveServer` when the suite runs CURVE; the ZAP handler of the loop's
    /// context then decides which clients get in.
    public init(
        loop: ZMQEventLoop, endpoint: String, source: MessageSource, logger: Logger, maxConcurrent: Int = 64,
        security: LinkSecurity = .plain, handler: @escaping Handler
    ) {
        self.loop = loop
        self.security = security
        self.endpoint = endpoint
        self.source = source
        self.logger = logger
        self.maxConcurrent = maxConcurrent
        self.handler = handler
    }

    public func start() async throws {
        let context = loop.context, endpoint = self.endpoint, state = self.state, security = self.security
        try await loop.perform { [self] loopState in
            let socket = try ZMQSocket(context: context, type: .router)
            try socket.setMaxMessageSize(256 * 1_048_576)
            try socket.apply(security)
            try socket.bind(endpoint)
            state.socket = socket
            loopState.add(socket) { [self] frames in self.accept(frames) }
        }
        logger.info("request server listening", metadata: ["endpoint": "\(endpoint)", "curve": "\(security.isCurve)"])
    }

    private func accept(_ frames: [Data]) {
        let decoded: (route: [Data], command: WireCommand, header: Data, body: Data)
        do { decoded = try WireFrame.decode(frames, routed: true) } catch {
            // Without a valid protocol part we can still answer, so a foreign client learns why.
            guard let identity = frames.first else { return }
            let route = frames.count > 1 && frames[1].isEmpty ? [identity, Data()] : [identity]
            let header = EnvelopeHeader(type: "error.v1", source: source, status: 400, error: "\(error)")
            send(route + WireFrame.encode(.reply, header: header), answering: header)
            return
        }
        let route = decoded.route
        let header: EnvelopeHeader
        do { header = try WireFrame.decodeHeader(decoded.header) } catch {
            let reply = EnvelopeHeader(type: "error.v1", source: source, status: 400, error: "\(error)")
            send(route + WireFrame.encode(.reply, header: reply), answering: reply)
            return
        }
        guard decoded.command == .request else {
            let reply = EnvelopeHeader(type: "error.v1", source: source, correlationId: header.id, status: 400, error: "expected REQ")
            send(route + WireFrame.encode(.reply, header: reply), answering: reply)
            return
        }
        if running.add(1, ordering: .relaxed).newValue > maxConcurrent {
            running.subtract(1, ordering: .relaxed)
            let reply = EnvelopeHeader(
                type: "\(header.type).reply", source: source, correlationId: header.id, status: 503,
                error: "server busy: \(maxConcurrent) requests in progress; retry shortly")
            send(route + WireFrame.encode(.reply, header: reply), answering: reply)
            return
        }
        let request = Request(header: header, body: decoded.body)
        let handler = self.handler, source = self.source, loop = self.loop, logger = self.logger
        Task { [self] in
            let reply = await handler(request)
            self.running.subtract(1, ordering: .relaxed)
            let replyHeader = EnvelopeHeader(
                type: "\(header.type).reply", source: source, tenant: header.tenant, correlationId: header.id,
                causationId: header.id, status: reply.status, error: reply.error)
            let frames = route + WireFrame.encode(.reply, header: replyHeader, body: reply.body)
            let queued = loop.execute { [self] _ in self.send(frames, answering: replyHeader) }
            if !queued {
                // The loop has shut down (the service is stopping): the socket is gone with it.
                logger.notice(
                    "reply not sent: the service is shutting down",
                    metadata: ["type": "\(replyHeader.type)", "message_id": "\(header.id)", "tenant": "\(header.tenant ?? "-")"])
            }
        }
    }

    /// Sends a reply on the loop thread. Sending never blocks (`dontWait`). The ROUTER drops a
    /// reply to a client that is gone without an error (the client has timed out already); one
    /// the socket refuses (closed, context ending) is logged, so that a client's timeout has a
    /// cause on this side too. Nothing is retried: the client retries the request.
    private func send(_ frames: [Data], answering reply: EnvelopeHeader) {
        guard let socket = state.socket else { return }
        do { try socket.send(frames, dontWait: true) } catch {
            logger.warning(
                "reply not sent", metadata: [
                    "type": "\(reply.type)", "message_id": "\(reply.correlationId ?? "-")", "tenant": "\(reply.tenant ?? "-")",
                    "status": "\(reply.status ?? 0)", "error": "\(error)",
                ])
        }
    }
}

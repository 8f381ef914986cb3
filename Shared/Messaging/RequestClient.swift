import Foundation
import Logging
import ZeroMQ

/// Why a request to another service did not get an answer.
public enum RequestError: Error, Sendable, CustomStringConvertible {
    case timedOut(type: String, endpoint: String, milliseconds: Int64)
    case rejected(type: String, status: Int, message: String)

    public var description: String {
        switch self {
        case .timedOut(let type, let endpoint, let ms): return "no reply to \(type) from \(endpoint) within \(ms) ms"
        case .rejected(let type, let status, let message): return "\(type) failed with status \(status): \(message)"
        }
    }
}

/// Sends `CM01` requests to one `RequestServer` over a DEALER and matches replies by
/// correlation id; requests that get no reply in time fail with `.timedOut`.
public final class RequestClient: Sendable {
    private let loop: ZMQEventLoop
    public let endpoint: String
    private let source: MessageSource
    private let security: LinkSecurity
    private let logger: Logger
    private let state = ClientState()

    /// `security` is `.curveClient` with the server's public key when the suite runs CURVE.
    /// `logger` (the service's, so that lines carry its name) reports replies that cannot be
    /// matched to a request.
    public init(
        loop: ZMQEventLoop, endpoint: String, source: MessageSource, security: LinkSecurity = .plain,
        logger: Logger = Logger(label: "carbonmeter.request-client")
    ) {
        self.loop = loop
        self.security = security
        self.endpoint = endpoint
        self.source = source
        self.logger = logger
    }

    public func start() async throws {
        let context = loop.context, endpoint = self.endpoint, state = self.state, security = self.security, logger = self.logger
        try await loop.perform { loopState in
            let socket = try ZMQSocket(context: context, type: .dealer)
            try socket.setReconnectInterval(milliseconds: 100)
            try socket.apply(security)
            try socket.connect(endpoint)
            state.socket = socket
            loopState.add(socket) { frames in
                let decoded: (route: [Data], command: WireCommand, header: Data, body: Data)
                let header: EnvelopeHeader
                do {
                    decoded = try WireFrame.decode(frames, routed: false)
                    header = try WireFrame.decodeHeader(decoded.header)
                } catch {
                    // The request it answers can only time out now; say why here.
                    logger.warning("dropping a malformed reply", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                    return
                }
                guard let id = header.correlationId, let pending = state.pending.removeValue(forKey: id) else {
                    // Normally a reply that came after its request timed out: the caller has its error already.
                    logger.debug(
                        "reply to no waiting request (late, after the timeout?)",
                        metadata: ["endpoint": "\(endpoint)", "type": "\(header.type)", "message_id": "\(header.correlationId ?? "-")"])
                    return
                }
                pending.continuation.resume(returning: (header, decoded.body))
            }
            loopState.every(milliseconds: 50) {
                let now = LoopState.now()
                for (id, pending) in state.pending where pending.deadline <= now {
                    state.pending.removeValue(forKey: id)
                    pending.continuation.resume(throwing: RequestError.timedOut(type: pending.type, endpoint: endpoint, milliseconds: pending.timeout))
                }
            }
        }
    }

    /// Sends one request and waits for its reply. A reply with a status other than 200 throws
    /// `.rejected` unless `acceptErrors` is set. `apiKey` is the credential a collector outside
    /// the suite presents to the ingest endpoint (an API key or an access token).
    public func request(
        type: String, body: Data = Data(), tenant: String? = nil, timeoutMilliseconds: Int64 = 5_000, acceptErrors: Bool = false,
        apiKey: String? = nil
    ) async throws -> (header: EnvelopeHeader, body: Data) {
        let header = {
            var header = EnvelopeHeader(type: type, source: source, tenant: tenant)
            header.apiKey = apiKey
            return header
        }()
        let frames = WireFrame.encode(.request, header: header, body: body)
        let state = self.state, endpoint = self.endpoint
        let reply: (header: EnvelopeHeader, body: Data) = try await withCheckedThrowingContinuation { continuation in
            let queued = loop.execute { _ in
                do {
                    guard let socket = state.socket else { throw RequestError.timedOut(type: type, endpoint: endpoint, milliseconds: 0) }
                    do { try socket.send(frames, dontWait: true) } catch ZMQError.wouldBlock {
                        // No connection left: libzmq gives one up for good when its handshake
                        // fails (CURVE refused, or on one side only). Connect anew, so a server
                        // fixed and restarted is reached again, and queue the request there.
                        try socket.reconnect(endpoint)
                        try socket.send(frames, dontWait: true)
                    }
                    state.pending[header.id] = ClientState.Pending(
                        continuation: continuation, deadline: LoopState.now() + timeoutMilliseconds, type: type, timeout: timeoutMilliseconds)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !queued { continuation.resume(throwing: ZMQError.terminated) }
        }
        if !acceptErrors, let status = reply.header.status, status != 200 {
            throw RequestError.rejected(type: type, status: status, message: reply.header.error ?? "")
        }
        return reply
    }
}

/// Confined to the loop thread (see `PublisherState`).
final class ClientState: @unchecked Sendable {
    struct Pending {
        let continuation: CheckedContinuation<(header: EnvelopeHeader, body: Data), any Error>
        let deadline: Int64
        let type: String
        let timeout: Int64
    }
    var socket: ZMQSocket?
    var pending: [String: Pending] = [:]
}

import Foundation
import Logging
import Synchronization

/// The ZAP handler of one ZeroMQ context: admits a CURVE client only when its public key is on
/// the allow-list, and logs every refusal with the key's Z85 text. Without a handler CURVE
/// encrypts but authenticates no one: libzmq lets any key in.
///
/// libzmq asks the handler over `inproc://zeromq.zap.01` in the same context, from its own I/O
/// threads, and waits for the reply asynchronously; so the handler's REP socket can be served
/// by the process's `ZMQEventLoop` like any other socket.
public final class ZAPHandler: Sendable {
    /// Where libzmq looks for the handler (RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"

    public let allowed: Set<CurveKey>
    private let logger: Logger
    private let refusedCount = Atomic<Int>(0)
    private let admittedCount = Atomic<Int>(0)
    /// When each refused key was last logged and how often it was refused since: a refused
    /// client reconnects every few hundred milliseconds, and one line a minute per key says enough.
    private let refusalLog = Mutex<[CurveKey: (loggedAt: Int64, since: Int)]>([:])

    /// Binds the handler in `loop`'s context on the calling thread (so a failure is reported
    /// here, before any CURVE server exists) and hands the socket to the loop thread. Start it
    /// before binding CURVE servers: a server whose context has no handler admits every key.
    public init(loop: ZMQEventLoop, allowed: Set<CurveKey>, logger: Logger) throws(ZMQError) {
        self.allowed = allowed
        self.logger = logger
        let socket = try ZMQSocket(context: loop.context, type: .rep)
        try socket.bind(Self.endpoint)
        // The socket moves to the loop thread: libzmq allows that with a full memory barrier
        // between the threads, which the loop's job queue lock provides.
        let handOver = SocketHandOver(socket: socket)
        let queued = loop.execute { [self] state in
            let socket = handOver.socket
            state.add(socket) { [self] frames in
                let reply = self.decide(frames)
                // A REP socket must answer each request before it can receive the next.
                do { try socket.send(reply) } catch {
                    self.logger.error("ZAP handler could not reply", metadata: ["error": "\(error)"])
                }
            }
        }
        if !queued { throw ZMQError.terminated }
    }

    /// How many handshakes were refused and admitted so far.
    public var refused: Int { refusedCount.load(ordering: .relaxed) }
    public var admitted: Int { admittedCount.load(ordering: .relaxed) }

    /// The reply to one request: 200 for a CURVE client on the allow-list, 400 for anyone else.
    func decide(_ frames: [Data]) -> [Data] {
        guard let request = ZAPRequest(frames: frames) else {
            refusedCount.add(1, ordering: .relaxed)
            logger.warning("ZAP request refused: malformed", metadata: ["frames": "\(frames.count)"])
            // Without a request id there is nothing valid to answer; echo what came.
            return [Data("1.0".utf8), frames.count > 1 ? frames[1] : Data(), Data("500".utf8), Data("malformed ZAP request".utf8), Data(), Data()]
        }
        guard request.version == "1.0" else {
            refusedCount.add(1, ordering: .relaxed)
            logger.warning("ZAP request refused: unknown version", metadata: ["version": "\(request.version)"])
            return request.reply(status: 500, text: "unsupported ZAP version")
        }
        guard let key = request.curveClientKey else {
            refusedCount.add(1, ordering: .relaxed)
            logger.warning(
                "connection refused: not a CURVE client",
                metadata: ["mechanism": "\(request.mechanism)", "address": "\(request.address)", "domain": "\(request.domain)"])
            return request.reply(status: 400, text: "CURVE required")
        }
        guard allowed.contains(key) else {
            refusedCount.add(1, ordering: .relaxed)
            let now = LoopState.now()
            let repeated = refusalLog.withLock { log -> Int? in
                if let entry = log[key], now - entry.loggedAt < 60_000 {
                    log[key] = (entry.loggedAt, entry.since + 1)
                    return nil
                }
                let since = log[key]?.since ?? 0
                log[key] = (now, 0)
                return since
            }
            if let repeated {
                logger.warning(
                    "CURVE client refused: public key not on the allow-list",
                    metadata: [
                        "client_key": "\(key.z85)", "address": "\(request.address)", "domain": "\(request.domain)",
                        "refused_since_last_log": "\(repeated)",
                    ])
            }
            return request.reply(status: 400, text: "key not allowed")
        }
        admittedCount.add(1, ordering: .relaxed)
        logger.debug("CURVE client admitted", metadata: ["client_key": "\(key.z85)", "address": "\(request.address)"])
        return request.reply(status: 200, text: "OK", userID: key.z85)
    }
}

/// Carries a socket created on one thread to the loop thread that owns it from then on.
private struct SocketHandOver: @unchecked Sendable {
    let socket: ZMQSocket
}

import Logging
import ServiceLifecycle
import ZeroMQ

/// Owns the process's ZeroMQ context and I/O loop as a `Service`. Put it first in the
/// `ServiceGroup`: services shut down in reverse order, so the sockets close last, after the
/// HTTP server has stopped taking work and the workers have finished what they hold.
public final class MessagingRuntime: Service, Sendable {
    public let context: ZMQContext
    public let loop: ZMQEventLoop
    /// The ZAP handler admitting allow-listed CURVE clients, when the service runs CURVE.
    public let zapHandler: ZAPHandler?
    private let logger: Logger

    /// With `curve`, binds the ZAP handler before anything else can bind a CURVE server in
    /// this context: a CURVE server without a handler would admit every key.
    public init(name: String, logger: Logger, curve: CurveConfiguration? = nil) throws {
        context = try ZMQContext()
        loop = try ZMQEventLoop(context: context, name: "\(name)-zmq")
        self.logger = logger
        loop.start()
        if let curve {
            zapHandler = try ZAPHandler(loop: loop, allowed: curve.allowed, logger: logger)
            logger.info(
                "CURVE on every link between services",
                metadata: ["public_key": "\(curve.keyPair.publicKey.z85)", "allowed_keys": "\(curve.allowed.count)", "curve_dir": "\(curve.directory)"])
        } else {
            zapHandler = nil
        }
    }

    public func run() async throws {
        // Throws only when the task is cancelled, which means shutting down just the same.
        try? await gracefulShutdown()
        await loop.shutdown()
        context.terminate()
        logger.info("sockets closed")
    }
}

/// Runs an async worker (a delivery loop, a recalculation loop) as a `Service`: it is
/// cancelled on graceful shutdown after finishing the item in hand.
public struct WorkerService: Service {
    private let name: String
    private let body: @Sendable () async throws -> Void
    private let onShutdown: @Sendable () -> Void

    /// `onShutdown` should make `body` return after its current item (e.g. finish a stream).
    public init(name: String, onShutdown: @escaping @Sendable () -> Void = {}, body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await body()
        } onGracefulShutdown: {
            onShutdown()
        }
    }
}

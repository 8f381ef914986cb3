import Logging
import ServiceLifecycle
import ZeroMQ

/// Owns the process's ZeroMQ context and I/O loop as a `Service`. Put it first in the
/// `ServiceGroup`: services shut down in reverse order, so the sockets close last, after the
/// HTTP server has stopped taking work and the workers have finished what they hold.
public final class MessagingRuntime: Service, Sendable {
    public let context: ZMQContext
    public let loop: ZMQEventLoop
    private let logger: Logger

    public init(name: String, logger: Logger) throws {
        context = try ZMQContext()
        loop = try ZMQEventLoop(context: context, name: "\(name)-zmq")
        self.logger = logger
        loop.start()
    }

    public func run() async throws {
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

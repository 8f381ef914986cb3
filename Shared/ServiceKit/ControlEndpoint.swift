import Contracts
import Foundation
import Logging
import Messaging
import ZeroMQ

/// The request type a control endpoint answers with the service's `StatusReport`.
public let statusRequestType = "status.get.v1"

/// A service's control endpoint over ZeroMQ: answers `status.get.v1` so that the reporter can
/// tell whether the pipeline has drained without opening anyone else's store, and the request
/// types in `handlers` (the tenant export and erase auth orchestrates).
public enum ControlEndpoint {
    public static func start(
        loop: ZMQEventLoop, endpoint: String, source: MessageSource, logger: Logger, security: LinkSecurity = .plain,
        status: @escaping @Sendable () async -> StatusReport, handlers: [String: RequestServer.Handler] = [:]
    ) async throws -> RequestServer {
        let server = RequestServer(loop: loop, endpoint: endpoint, source: source, logger: logger, security: security) { request in
            if request.header.type == statusRequestType { return .json(await status()) }
            if let handler = handlers[request.header.type] { return await handler(request) }
            return .failure(404, "unknown request type \(request.header.type)")
        }
        try await server.start()
        return server
    }

    /// Binds the endpoint with answers that switch from standby to active (`ControlResponder`).
    public static func start(
        loop: ZMQEventLoop, endpoint: String, source: MessageSource, logger: Logger, security: LinkSecurity = .plain,
        responder: ControlResponder
    ) async throws -> RequestServer {
        let server = RequestServer(loop: loop, endpoint: endpoint, source: source, logger: logger, security: security) { request in
            if request.header.type == statusRequestType { return .json(await responder.status()) }
            return await responder.handle(request)
        }
        try await server.start()
        return server
    }
}

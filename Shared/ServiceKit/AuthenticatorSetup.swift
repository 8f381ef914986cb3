import AccessControl
import Logging
import Messaging
import ZeroMQ

/// Connects a service to auth when `--require-auth` is on: a request client to auth's endpoint
/// and an ``Authenticator`` polling its revocations. Nil when authentication is off.
public enum AuthenticatorSetup {
    public static func start(
        requireAuth: Bool, loop: ZMQEventLoop, authEndpoint: String, source: MessageSource, service: String, logger: Logger,
        revocationPollMilliseconds: Int
    ) async throws -> Authenticator? {
        guard requireAuth else { return nil }
        let auth = RequestClient(loop: loop, endpoint: authEndpoint, source: source)
        do { try await auth.start() } catch { throw ServiceStartupError("\(service) could not connect to auth: \(error)") }
        let verifier = Authenticator(auth: auth, service: service, logger: logger, pollMilliseconds: max(50, revocationPollMilliseconds))
        verifier.start()
        logger.info("tokens or API keys required on every route but /health and /metrics", metadata: ["auth": "\(authEndpoint)"])
        return verifier
    }
}

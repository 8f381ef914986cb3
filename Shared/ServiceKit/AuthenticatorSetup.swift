import AccessControl
import CarbonModel
import Contracts
import GRDB
import Logging
import Messaging
import ServiceLifecycle
import ZeroMQ

/// A service's link to auth when `--require-auth` is on: an ``Authenticator`` (tokens verified
/// locally, revocations polled) whose denials go durably into the service's ``AuditOutbox``,
/// and the worker that delivers that outbox to auth.
public struct AuthenticatorSetup: Sendable {
    public var authenticator: Authenticator?
    public var auditOutbox: AuditOutbox?

    public init(authenticator: Authenticator? = nil, auditOutbox: AuditOutbox? = nil) {
        self.authenticator = authenticator
        self.auditOutbox = auditOutbox
    }

    /// The worker delivering the audit outbox (nil when authentication is off).
    public var worker: WorkerService? {
        auditOutbox.map { outbox in
            WorkerService(name: "audit-outbox") { await cancelWhenGracefulShutdown { await outbox.run() } }
        }
    }

    /// Nothing when `requireAuth` is off.
    public static func start(
        requireAuth: Bool, loop: ZMQEventLoop, authEndpoint: String, source: MessageSource, service: String, logger: Logger,
        revocationPollMilliseconds: Int, database: DatabasePool, security: LinkSecurity = .plain
    ) async throws -> AuthenticatorSetup {
        guard requireAuth else { return AuthenticatorSetup() }
        let auth = RequestClient(loop: loop, endpoint: authEndpoint, source: source, security: security, logger: logger)
        do { try await auth.start() } catch { throw ServiceStartupError("\(service) could not connect to auth: \(error)") }
        let outbox = AuditOutbox(database: database, auth: auth, logger: logger)
        let verifier = Authenticator(
            auth: auth, service: service, logger: logger, pollMilliseconds: max(50, revocationPollMilliseconds),
            denials: AuditOutbox.denialSink(outbox, logger: logger))
        verifier.start()
        logger.info("tokens or API keys required on every route but /health and /metrics", metadata: ["auth": "\(authEndpoint)"])
        return AuthenticatorSetup(authenticator: verifier, auditOutbox: outbox)
    }
}

extension AuditOutbox {
    /// Where an ``Authenticator`` records denials: this outbox, as `denied <action>` events.
    public static func denialSink(_ outbox: AuditOutbox, logger: Logger) -> @Sendable (DenialReport) async -> Void {
        { report in
            let event = AuditEvent(
                id: MessageID.make(), service: report.service, actor: report.subject ?? "anonymous", action: "denied \(report.action)",
                tenant: report.tenant, outcome: "denied", detail: "\(report.service): \(report.reason)")
            do { try await outbox.record(event) } catch {
                logger.error("could not record a denial in the audit outbox", metadata: ["error": "\(error)", "action": "\(report.action)"])
            }
        }
    }
}

extension AuthLinkOptions {
    /// The authenticator these options ask for (none without `--require-auth`), connected to
    /// auth over the link a service with `curve` uses to reach it.
    public func startAuthenticator(
        loop: ZMQEventLoop, source: MessageSource, service: String, logger: Logger, database: DatabasePool, curve: CurveConfiguration?
    ) async throws -> AuthenticatorSetup {
        try await AuthenticatorSetup.start(
            requireAuth: requireAuth, loop: loop, authEndpoint: authEndpoint, source: source, service: service, logger: logger,
            revocationPollMilliseconds: revocationPollMs, database: database, security: try curve?.client(of: "auth") ?? .plain)
    }
}

import AccessControl
import ArgumentParser
import CarbonModel
import Contracts
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle
import UnixSignals

extension AuthCommand.Serve {
    /// Auth, assembled from these options: its store of identities, keys and the audit chain,
    /// the request endpoint other services verify tokens and keys at, and its HTTP routes (login,
    /// users, keys, tenant export and erasure). `main` runs it with signal handlers; in-process
    /// tests without (`signals: []`), stopping it with a graceful shutdown.
    func buildAuth(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> ServiceShell {
        let instance = common.instanceName(service: "auth")
        let logger = ServiceLogging.bootstrap(service: "auth", instance: instance, level: common.logLevel)
        try ExposureGuard.enforce(service: "auth", common: common, requireAuth: requireAuth, logger: logger)
        let store: AuthStore
        do { store = try await AuthStore.open(common, logger: logger) } catch {
            throw ServiceStartupError("auth could not open its store: \(error)")
        }
        let database = store.database
        let metrics = ServiceMetrics(service: "auth", instance: instance)
        let verifications = metrics.counter("carbonmeter_auth_key_verifications_total", help: "API key verifications answered")
        let source = MessageSource(service: "auth", instance: instance)
        let curve = try common.curve(service: "auth")
        let runtime = try MessagingRuntime(name: "auth", logger: logger, curve: curve)
        let bootstrap = BootstrapAdmin(dataDir: common.dataDir, passwordFile: bootstrapPasswordFile.isEmpty ? nil : bootstrapPasswordFile)
        let hasher = PasswordHasher(logN: passwordHashCost)
        let passwordWork = PasswordWorkers(workers: passwordWorkers, queueLimit: passwordQueueLimit)
        do {
            _ = try await bootstrap.ensure(database, hasher: hasher, logger: logger)
        } catch {
            throw ServiceStartupError("auth could not prepare its identities: \(error)")
        }
        let status: @Sendable () async -> StatusReport = {
            let keys: Int?
            do { keys = try await database.read { try IdentityStore.activeKeyCount($0) } } catch {
                // Reported unhealthy; the log says why.
                logger.error("status: could not read the store", metadata: ["error": "\(error)"])
                keys = nil
            }
            return StatusReport(
                service: "auth", instance: instance, healthy: keys != nil,
                details: [
                    "active_api_keys": "\(keys ?? 0)", "password_hash_cost": "\(hasher.logN)",
                    "password_checks_in_flight": "\(passwordWork.inFlight)",
                ])
        }
        let login = LoginService(
            database: database, signing: store.signing,
            throttle: LoginThrottle(maxFailures: max(1, maxFailedLogins), lockoutSeconds: Int64(max(1, lockoutSeconds))),
            tokenTTLSeconds: Int64(max(1, tokenTtlSeconds)), hasher: hasher, workers: passwordWork, bootstrap: bootstrap, logger: logger)
        let sessions = SessionRequests(login: login, database: database, logger: logger)
        let server = RequestServer(
            loop: runtime.loop, endpoint: common.bindEndpoint(port: controlPort), source: source, logger: logger,
            security: curve?.server ?? .plain
        ) { request in
            switch request.header.type {
            case statusRequestType:
                return .json(await status())
            case PasswordLoginRequest.messageType:
                return await sessions.handleLogin(request)
            case TokenLogoutRequest.messageType:
                return await sessions.handleLogout(request)
            case APIKeyVerificationRequest.messageType:
                // Answered 400; the decoder's message is not echoed, as it may quote part of the key.
                guard let asked = try? JSONDecoder().decode(APIKeyVerificationRequest.self, from: request.body) else {
                    return .failure(400, "body must be {\"key\": \"cmk_...\"}")
                }
                verifications.increment()
                do {
                    let identity = try await database.read { try IdentityStore.verify($0, key: asked.key) }
                    if !identity.valid { logger.notice("API key rejected") }
                    return .json(identity)
                } catch {
                    return .failure(500, "could not read identities: \(error)")
                }
            case SigningKeySet.messageType:
                do { return .json(try await database.read { try TokenIssuer.publicKeys($0) }) } catch {
                    return .failure(500, "could not read the signing keys: \(error)")
                }
            case RevocationList.messageType:
                do {
                    return .json(try await database.read { try TokenIssuer.revocations($0, now: Int64(Date().timeIntervalSince1970)) })
                } catch {
                    return .failure(500, "could not read revocations: \(error)")
                }
            case DenialReport.messageType:
                let report: DenialReport
                do { report = try JSONDecoder().decode(DenialReport.self, from: request.body) } catch {
                    // The sender logs the refusal with this reason (e.g. services of different versions).
                    return .failure(400, "body must be a DenialReport: \(error)")
                }
                do {
                    try await database.write { db in
                        try AuditLog.append(
                            db,
                            AuditEntry(
                                actor: report.subject ?? "anonymous", action: "denied \(report.action)", tenant: report.tenant, outcome: "denied",
                                detail: "\(report.service): \(report.reason)"))
                    }
                    return .json(["audited": true])
                } catch {
                    return .failure(500, "could not append to the audit log: \(error)")
                }
            case AuditEvent.messageType:
                // From another service's audit outbox: appended once per event id (the inbox
                // row and the audit row in one transaction), confirmed after the commit.
                let event: AuditEvent
                do { event = try JSONDecoder().decode(AuditEvent.self, from: request.body) } catch {
                    // The sender's audit outbox logs the refusal with this reason and keeps the event.
                    return .failure(400, "body must be an AuditEvent: \(error)")
                }
                guard !event.id.isEmpty else { return .failure(400, "body must be an AuditEvent with an id") }
                do {
                    let header = EnvelopeHeader(id: "audit:\(event.id)", type: AuditEvent.messageType, source: request.header.source)
                    _ = try await database.write { db in
                        try Inbox.once(db, header) { db in
                            try AuditLog.append(
                                db,
                                AuditEntry(actor: event.actor, action: event.action, tenant: event.tenant, outcome: event.outcome, detail: event.detail))
                            return ((), Data())
                        }
                    }
                    return .json(["audited": true])
                } catch {
                    return .failure(500, "could not append to the audit log: \(error)")
                }
            default:
                return .failure(404, "unknown request type \(request.header.type)")
            }
        }
        do { try await server.start() } catch { throw ServiceStartupError("auth could not open its ZeroMQ endpoint: \(error)") }
        let router = Router(context: ServiceRequestContext.self)
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        AuthRoutes.addSession(to: router, database: database, login: login)
        let service = router.group().add(
            middleware: AuthenticationMiddleware(requireAuth ? AuthRoutes.localGuard(database: database, logger: logger) : .open))
        BackupRoutes.add(to: service, database: database, dataDir: common.dataDir, instance: instance)
        // Identity administration and tenant privacy need a signed-in admin whatever --require-auth says.
        let administration = router.group().add(middleware: AuthenticationMiddleware(AuthRoutes.adminGuard(database: database, logger: logger)))
        AuthRoutes.addAdministration(to: administration, database: database, login: login)
        let serviceClients = try ControlClients(loop: runtime.loop, list: serviceControl, source: source, curve: curve, logger: logger)
        do { _ = try await serviceClients.targets() } catch {
            throw ServiceStartupError("auth could not connect to the other services' control endpoints: \(error)")
        }
        TenantPrivacyRoutes.add(to: administration, database: database, signing: store.signing, services: serviceClients, logger: logger)
        return ServiceShell(
            name: "auth", runtime: runtime, workers: [], router: router, host: common.httpHost, port: httpPort, signals: signals,
            logger: logger)
    }
}

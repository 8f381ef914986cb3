import AccessControl
import Contracts
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit

/// Auth's HTTP API: login and logout, and the identity administration of provider and tenant
/// admins (tenants, users, API keys), and the audit log for auditors. Every refusal is audited.
enum AuthRoutes {
    struct LoginRequest: Decodable { var username: String; var password: String }
    struct TenantRequest: Decodable { var tenant: String }
    struct UserRequest: Decodable { var username: String; var password: String; var role: String; var tenant: String? }
    struct KeyRequest: Decodable { var role: String; var tenant: String? }
    struct KeyAnswer: Encodable, Sendable {
        var keyID: String
        var key: String
        var tenant: String?
        var role: String
        enum CodingKeys: String, CodingKey { case key, tenant, role, keyID = "key_id" }
    }

    static let bodyLimit = 64 * 1024

    /// Sign-in and sign-out: outside the authentication middleware (sign-in has no credential
    /// yet; sign-out is about the very token it presents).
    static func addSession(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, login: LoginService) {
        router.post("/v1/login") { request, _ -> LoginAnswer in
            let body = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
            try HTTPSupport.refuseRepeatedKeys(in: body)
            let asked = try HTTPSupport.decode(LoginRequest.self, from: body, expected: "{\"username\": \"…\", \"password\": \"…\"} (at most 64 KiB)")
            switch try await login.login(username: asked.username, password: asked.password) {
            case .issued(let token, let claims):
                return LoginAnswer(token: token, expiresAt: claims.expiresAt, tenant: claims.tenant, role: claims.role.rawValue)
            case .invalid(let delay):
                try await Task.sleep(for: .milliseconds(delay))
                throw APIError(.unauthorized, "invalid user name or password")
            case .locked(let retryAfter):
                throw APIError(
                    .tooManyRequests, "too many failed logins for this user name; try again in \(retryAfter) s", headers: [.retryAfter: "\(retryAfter)"])
            case .busy(let retryAfter):
                throw APIError(.serviceUnavailable, "auth is busy checking other logins; try again in \(retryAfter) s", headers: [.retryAfter: "\(retryAfter)"])
            }
        }

        router.post("/v1/logout") { request, _ -> Revoked in
            let claims: TokenClaims
            switch try await authenticate(request.headers[.authorization], database: database) {
            case .success(let c): claims = c
            case .failure(let rejection): throw APIError(.unauthorized, rejection.description)
            }
            try await database.write { db in
                _ = try TokenIssuer.revoke(db, tokenID: claims.tokenID, now: Int64(Date().timeIntervalSince1970))
                try AuditLog.append(
                    db, AuditEntry(actor: claims.subject, action: "token.revoke", tenant: claims.tenant, outcome: "success", detail: "logout \(claims.tokenID)"))
            }
            return Revoked(revoked: claims.tokenID)
        }
    }

    /// Identity administration and the audit log, behind ``adminGuard(database:logger:)``.
    static func addAdministration(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, login: LoginService) {
        router.post("/v1/tenants") { request, context -> JSONResponse<[String: String]> in
            let body = try await adminBody(request)
            try await context.authorize { $0.role == .providerAdmin ? .allowed : .denied("only a provider_admin creates tenants") }
            let asked = try HTTPSupport.decode(TenantRequest.self, from: body, expected: "{\"tenant\": \"…\"}")
            let who = try context.requireCaller().principal
            try await directoryWrite(database) { db in
                try UserDirectory.createTenant(db, tenant: asked.tenant)
                try AuditLog.append(db, AuditEntry(actor: who?.subject ?? "", action: "tenant.create", tenant: asked.tenant, outcome: "success", detail: ""))
            }
            return JSONResponse(["tenant": asked.tenant], status: .created)
        }

        router.post("/v1/users") { request, context -> JSONResponse<[String: String]> in
            let body = try await adminBody(request)
            let expected = "{\"username\", \"password\", \"role\" (\(IdentityStore.roles.joined(separator: ", "))), \"tenant\"}"
            let asked = try HTTPSupport.decode(UserRequest.self, from: body, expected: expected)
            guard let role = Role(rawValue: asked.role) else { throw APIError.badRequest("role: use one of \(IdentityStore.roles.joined(separator: ", "))", field: "role") }
            guard asked.password.count >= 12 else { throw APIError.badRequest("password: at least 12 characters", field: "password") }
            try await context.authorize { scope($0, tenant: asked.tenant, role: role) }
            let who = context.principal
            let hasher = login.hasher, password = asked.password
            let hash: String
            do { hash = try await login.workers.run { try hasher.hash(password) } } catch let busy as PasswordWorkers.Busy {
                throw APIError(
                    .serviceUnavailable, "auth is busy hashing other passwords; try again in \(busy.retryAfterSeconds) s",
                    headers: [.retryAfter: "\(busy.retryAfterSeconds)"])
            }
            try await directoryWrite(database) { db in
                try UserDirectory.createUser(db, username: asked.username, tenant: asked.tenant, role: role, passwordHash: hash)
                try AuditLog.append(
                    db, AuditEntry(actor: who?.subject ?? "", action: "user.create", tenant: asked.tenant, outcome: "success", detail: "\(asked.username) as \(role.rawValue)"))
            }
            return JSONResponse(["username": asked.username, "role": role.rawValue], status: .created)
        }

        router.post("/v1/api-keys") { request, context -> JSONResponse<KeyAnswer> in
            let body = try await adminBody(request)
            let asked = try HTTPSupport.decode(KeyRequest.self, from: body, expected: "{\"role\": \"collector\", \"tenant\": \"…\"}")
            guard let role = Role(rawValue: asked.role) else { throw APIError.badRequest("role: use one of \(IdentityStore.roles.joined(separator: ", "))", field: "role") }
            try await context.authorize { scope($0, tenant: asked.tenant, role: role) }
            let who = context.principal
            let (keyID, key) = try await directoryWrite(database) { db in
                let created = try IdentityStore.createKey(db, tenant: asked.tenant, role: role.rawValue)
                try AuditLog.append(
                    db, AuditEntry(actor: who?.subject ?? "", action: "apikey.create", tenant: asked.tenant, outcome: "success", detail: "\(created.keyID) as \(role.rawValue)"))
                return created
            }
            return JSONResponse(KeyAnswer(keyID: keyID, key: key, tenant: asked.tenant, role: role.rawValue), status: .created)
        }

        router.delete("/v1/api-keys/{id}") { request, context -> Revoked in
            let keyID = try context.parameters.require("id")
            _ = try await adminBody(request)
            try await context.authorize {
                $0.role == .providerAdmin || $0.role == .tenantAdmin ? .allowed : .denied("only admins revoke keys")
            }
            let who = context.principal
            let revoked = try await database.write { db -> Bool in
                // Another tenant's key answers exactly like a key that does not exist.
                guard let key = try StoredAPIKey.active(db, keyID: keyID), who?.tenant == nil || key.tenant == who?.tenant else { return false }
                _ = try IdentityStore.revoke(db, keyID: keyID)
                try AuditLog.append(db, AuditEntry(actor: who?.subject ?? "", action: "apikey.revoke", tenant: key.tenant, outcome: "success", detail: keyID))
                return true
            }
            // The same bytes for every unknown or hidden key id.
            guard revoked else { throw APIError.notFound("no active key with this id") }
            return Revoked(revoked: keyID)
        }

        router.get("/v1/audit") { request, context -> AuditRows in
            try await context.authorize {
                $0.role == .auditor || $0.role == .providerAdmin ? .allowed : .denied("only auditors and provider admins read the audit log")
            }
            let tenant = context.principal?.tenant
            let limit = min(Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, 1_000)
            return AuditRows(rows: try await database.read { try AuditLog.rows($0, tenant: tenant, limit: limit) })
        }
    }

    /// An administration request's body, bounded and without repeated keys.
    private static func adminBody(_ request: Request) async throws -> Data {
        let body = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
        try HTTPSupport.refuseRepeatedKeys(in: body)
        return body
    }

    /// A write to the directory whose refusals (a user or tenant that exists already, say) are
    /// answered with their own status.
    private static func directoryWrite<T: Sendable>(_ database: DatabasePool, _ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.write(work)
        } catch DirectoryError.invalid(let field, let message) {
            throw APIError.badRequest(message, field: field)
        } catch DirectoryError.exists(let message) {
            throw APIError(.conflict, message)
        }
    }

    /// `{"revoked": id}`.
    struct Revoked: ResponseEncodable, Sendable { var revoked: String }
    /// `{"rows": […]}` of `GET /v1/audit`.
    struct AuditRows: ResponseEncodable, Sendable { var rows: [[String: String?]] }

    /// The audit action of each administration route: refusals are audited under the name of
    /// what was refused (`apikey.create`), as successes are.
    static let auditActions: [String: String] = [
        "POST /v1/tenants": "tenant.create", "POST /v1/users": "user.create", "POST /v1/api-keys": "apikey.create",
        "DELETE /v1/api-keys/{id}": "apikey.revoke", "GET /v1/audit": "audit.read",
        "GET /v1/tenants/{tenant}/export": "tenant.export", "POST /v1/tenants/{tenant}/erase": "tenant.erase",
    ]

    /// The guard of auth's administration routes: bearer tokens (not API keys) verified against
    /// auth's own store, whether or not the suite runs with `--require-auth`; every refusal
    /// appended to the audit log under the route's audit action.
    static func adminGuard(database: DatabasePool, logger: Logger) -> RouteGuard {
        @Sendable func audited(_ principal: Principal?, route: String, detail: String) async {
            let action = auditActions[route] ?? route
            do {
                try await audit(database, AuditEntry(actor: principal?.subject ?? "anonymous", action: action, tenant: principal?.tenant, outcome: "denied", detail: detail))
            } catch {
                logger.error("a refusal could not be audited", metadata: ["action": "\(action)", "error": "\(error)"])
            }
            if principal != nil { logger.notice("denied", metadata: ["user": "\(principal?.subject ?? "")", "action": "\(action)"]) }
        }
        return RouteGuard(
            authenticate: { await identify($0, database: database, acceptingKeys: false) },
            reportDenial: { principal, route, reason in await audited(principal, route: route, detail: reason) })
    }

    /// Who may create a user or key of `role` for `tenant`: a provider admin anything; a tenant
    /// admin only tenant roles within its own tenant.
    static func scope(_ claims: Principal, tenant: String?, role: Role) -> AccessDecision {
        switch claims.role {
        case .providerAdmin: return .allowed
        case .tenantAdmin:
            guard let own = claims.tenant, tenant == own, role != .providerAdmin else {
                return .denied("a tenant_admin manages only its own tenant's users and keys, and not provider roles")
            }
            return .allowed
        default: return .denied("only provider_admin and tenant_admin manage users and keys")
        }
    }

    static func authenticate(_ header: String?, database: DatabasePool) async throws -> Result<TokenClaims, TokenRejection> {
        guard let credential = Credential(authorization: header) else { return .failure(.malformed) }
        return try await verify(token: credential.text, database: database)
    }

    private static func verify(token: String, database: DatabasePool) async throws -> Result<TokenClaims, TokenRejection> {
        try await database.read { try TokenIssuer.verify($0, token: token, now: Int64(Date().timeIntervalSince1970)) }
    }

    /// Who presents `header`, checked against auth's own store: an access token (signature,
    /// expiry, revocation) or, when `acceptingKeys`, an API key too.
    static func identify(_ header: String?, database: DatabasePool, acceptingKeys: Bool) async -> AuthenticationOutcome {
        guard let credential = Credential(authorization: header) else {
            return .unauthenticated("authentication required: send Authorization: Bearer <token from POST /v1/login>")
        }
        do {
            if acceptingKeys, case .apiKey(let key) = credential {
                return try await database.read { try IdentityStore.verify($0, key: key) }.outcome
            }
            switch try await verify(token: credential.text, database: database) {
            case .success(let claims): return .authenticated(claims.principal)
            case .failure(let rejection): return .unauthenticated(rejection.description)
            }
        } catch {
            return .unavailable("could not read identities: \(error)")
        }
    }

    /// The route guard of auth's own service routes (backups): tokens and keys checked against
    /// auth's own store, refusals appended to the audit log directly.
    static func localGuard(database: DatabasePool, logger: Logger) -> RouteGuard {
        RouteGuard(
            authenticate: { await identify($0, database: database, acceptingKeys: true) },
            reportDenial: { principal, action, reason in
                do {
                    try await audit(
                        database,
                        AuditEntry(actor: principal?.subject ?? "anonymous", action: "denied \(action)", tenant: principal?.tenant, outcome: "denied",
                            detail: "auth: \(reason)"))
                } catch {
                    logger.error("a refusal could not be audited", metadata: ["action": "\(action)", "error": "\(error)"])
                }
            })
    }

    private static func audit(_ database: DatabasePool, _ entry: AuditEntry) async throws {
        try await database.write { try AuditLog.append($0, entry) }
    }
}

extension LoginAnswer: ResponseEncodable {}

import AccessControl
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
    struct LoginAnswer: Encodable {
        var token: String
        var tokenType = "Bearer"
        var expiresAt: Int64
        var tenant: String?
        var role: String
        enum CodingKeys: String, CodingKey { case token, tenant, role, tokenType = "token_type", expiresAt = "expires_at" }
    }
    struct TenantRequest: Decodable { var tenant: String }
    struct UserRequest: Decodable { var username: String; var password: String; var role: String; var tenant: String? }
    struct KeyRequest: Decodable { var role: String; var tenant: String? }
    struct KeyAnswer: Encodable {
        var keyID: String
        var key: String
        var tenant: String?
        var role: String
        enum CodingKeys: String, CodingKey { case key, tenant, role, keyID = "key_id" }
    }

    static let bodyLimit = 64 * 1024

    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, login: LoginService, logger: Logger) {
        router.post("/v1/login") { request, _ -> Response in
            guard let body = try await HTTPSupport.body(of: request, limit: bodyLimit) else {
                return HTTPSupport.error(.contentTooLarge, "request body exceeds \(bodyLimit) bytes")
            }
            if let refusal = HTTPSupport.repeatedKeyRefusal(in: body) { return refusal }
            guard let asked = try? JSONDecoder().decode(LoginRequest.self, from: body) else {
                return HTTPSupport.error(.badRequest, "body must be {\"username\": \"…\", \"password\": \"…\"} (at most 64 KiB)")
            }
            switch try await login.login(username: asked.username, password: asked.password) {
            case .issued(let token, let claims):
                return HTTPSupport.json(LoginAnswer(token: token, expiresAt: claims.expiresAt, tenant: claims.tenant, role: claims.role.rawValue))
            case .invalid(let delay):
                try await Task.sleep(for: .milliseconds(delay))
                return HTTPSupport.error(.unauthorized, "invalid user name or password")
            case .locked(let retryAfter):
                var response = HTTPSupport.error(.tooManyRequests, "too many failed logins for this user name; try again in \(retryAfter) s")
                response.headers[.retryAfter] = "\(retryAfter)"
                return response
            case .busy(let retryAfter):
                var response = HTTPSupport.error(.serviceUnavailable, "auth is busy checking other logins; try again in \(retryAfter) s")
                response.headers[.retryAfter] = "\(retryAfter)"
                return response
            }
        }

        router.post("/v1/logout") { request, _ -> Response in
            let claims: TokenClaims
            switch try await authenticate(request, database: database) {
            case .success(let c): claims = c
            case .failure(let rejection): return HTTPSupport.error(.unauthorized, rejection.description)
            }
            try await database.write { db in
                _ = try TokenIssuer.revoke(db, tokenID: claims.tokenID, now: Int64(Date().timeIntervalSince1970))
                try AuditLog.append(
                    db, AuditEntry(actor: claims.subject, action: "token.revoke", tenant: claims.tenant, outcome: "success", detail: "logout \(claims.tokenID)"))
            }
            return HTTPSupport.json(["revoked": claims.tokenID])
        }

        router.post("/v1/tenants") { request, _ -> Response in
            try await administer(request, database: database, action: "tenant.create", logger: logger) { claims, body in
                guard claims.role == .providerAdmin else { return .denied("only a provider_admin creates tenants") }
                guard let asked = try? JSONDecoder().decode(TenantRequest.self, from: body) else { return .bad("body must be {\"tenant\": \"…\"}") }
                try await database.write { db in
                    try UserDirectory.createTenant(db, tenant: asked.tenant)
                    try AuditLog.append(db, AuditEntry(actor: claims.subject, action: "tenant.create", tenant: asked.tenant, outcome: "success", detail: ""))
                }
                return .done(HTTPSupport.json(["tenant": asked.tenant], status: .created))
            }
        }

        router.post("/v1/users") { request, _ -> Response in
            try await administer(request, database: database, action: "user.create", logger: logger) { claims, body in
                guard let asked = try? JSONDecoder().decode(UserRequest.self, from: body), let role = Role(rawValue: asked.role) else {
                    return .bad("body must be {\"username\", \"password\", \"role\" (\(IdentityStore.roles.joined(separator: ", "))), \"tenant\"}")
                }
                guard asked.password.count >= 12 else { return .bad("password: at least 12 characters") }
                switch scope(claims, tenant: asked.tenant, role: role) {
                case .denied(let message): return .denied(message)
                case .allowed: break
                }
                let hasher = login.hasher, password = asked.password
                let hash: String
                do { hash = try await login.workers.run { try hasher.hash(password) } } catch let busy as PasswordWorkers.Busy {
                    return .busy(busy.retryAfterSeconds)
                }
                try await database.write { db in
                    try UserDirectory.createUser(db, username: asked.username, tenant: asked.tenant, role: role, passwordHash: hash)
                    try AuditLog.append(
                        db, AuditEntry(actor: claims.subject, action: "user.create", tenant: asked.tenant, outcome: "success", detail: "\(asked.username) as \(role.rawValue)"))
                }
                return .done(HTTPSupport.json(["username": asked.username, "role": role.rawValue], status: .created))
            }
        }

        router.post("/v1/api-keys") { request, _ -> Response in
            try await administer(request, database: database, action: "apikey.create", logger: logger) { claims, body in
                guard let asked = try? JSONDecoder().decode(KeyRequest.self, from: body), let role = Role(rawValue: asked.role) else {
                    return .bad("body must be {\"role\": \"collector\", \"tenant\": \"…\"}")
                }
                switch scope(claims, tenant: asked.tenant, role: role) {
                case .denied(let message): return .denied(message)
                case .allowed: break
                }
                let (keyID, key) = try await database.write { db in
                    let created = try IdentityStore.createKey(db, tenant: asked.tenant, role: role.rawValue)
                    try AuditLog.append(
                        db, AuditEntry(actor: claims.subject, action: "apikey.create", tenant: asked.tenant, outcome: "success", detail: "\(created.keyID) as \(role.rawValue)"))
                    return created
                }
                return .done(HTTPSupport.json(KeyAnswer(keyID: keyID, key: key, tenant: asked.tenant, role: role.rawValue), status: .created))
            }
        }

        router.delete("/v1/api-keys/{id}") { request, context -> Response in
            let keyID = try context.parameters.require("id")
            return try await administer(request, database: database, action: "apikey.revoke", logger: logger) { claims, _ in
                guard claims.role == .providerAdmin || claims.role == .tenantAdmin else { return .denied("only admins revoke keys") }
                let revoked = try await database.write { db -> Bool in
                    let owner = try Row.fetchOne(db, sql: "SELECT tenant FROM api_keys WHERE key_id = ? AND revoked_at IS NULL", arguments: [keyID])
                    // Another tenant's key answers exactly like a key that does not exist.
                    guard let owner, claims.tenant == nil || (owner["tenant"] as String?) == claims.tenant else { return false }
                    _ = try IdentityStore.revoke(db, keyID: keyID)
                    try AuditLog.append(db, AuditEntry(actor: claims.subject, action: "apikey.revoke", tenant: owner["tenant"], outcome: "success", detail: keyID))
                    return true
                }
                // The same bytes for every unknown or hidden key id.
                return revoked ? .done(HTTPSupport.json(["revoked": keyID])) : .done(HTTPSupport.error(.notFound, "no active key with this id"))
            }
        }

        router.get("/v1/audit") { request, _ -> Response in
            try await administer(request, database: database, action: "audit.read", logger: logger, readsBody: false) { claims, _ in
                guard claims.role == .auditor || claims.role == .providerAdmin else { return .denied("only auditors and provider admins read the audit log") }
                let limit = min(Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, 1_000)
                let rows = try await database.read { try AuditLog.rows($0, tenant: claims.tenant, limit: limit) }
                return .done(HTTPSupport.json(["rows": rows]))
            }
        }
    }

    /// What an administration handler decided; `busy` carries the seconds for Retry-After.
    enum Handled { case done(Response), denied(String), bad(String), busy(Int) }

    /// Authenticates, reads the body, runs `body`, and audits denials.
    private static func administer(
        _ request: Request, database: DatabasePool, action: String, logger: Logger, readsBody: Bool = true,
        _ handle: (TokenClaims, Data) async throws -> Handled
    ) async throws -> Response {
        let claims: TokenClaims
        switch try await authenticate(request, database: database) {
        case .success(let c): claims = c
        case .failure(let rejection):
            try await audit(database, AuditEntry(actor: "anonymous", action: action, tenant: nil, outcome: "denied", detail: rejection.description))
            return HTTPSupport.error(.unauthorized, rejection.description)
        }
        var body = Data()
        if readsBody {
            guard let read = try await HTTPSupport.body(of: request, limit: bodyLimit) else {
                return HTTPSupport.error(.contentTooLarge, "request body exceeds \(bodyLimit) bytes")
            }
            if let refusal = HTTPSupport.repeatedKeyRefusal(in: read) { return refusal }
            body = read
        }
        do {
            switch try await handle(claims, body) {
            case .done(let response): return response
            case .bad(let message): return HTTPSupport.error(.badRequest, message)
            case .busy(let retryAfter):
                var response = HTTPSupport.error(.serviceUnavailable, "auth is busy hashing other passwords; try again in \(retryAfter) s")
                response.headers[.retryAfter] = "\(retryAfter)"
                return response
            case .denied(let message):
                try await audit(database, AuditEntry(actor: claims.subject, action: action, tenant: claims.tenant, outcome: "denied", detail: message))
                logger.notice("denied", metadata: ["user": "\(claims.subject)", "action": "\(action)"])
                return HTTPSupport.error(.forbidden, message)
            }
        } catch let error as DirectoryError {
            return HTTPSupport.error(.init(code: error.status), error.description)
        }
    }

    /// Who may create a user or key of `role` for `tenant`: a provider admin anything; a tenant
    /// admin only tenant roles within its own tenant.
    static func scope(_ claims: TokenClaims, tenant: String?, role: Role) -> AccessDecision {
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

    static func authenticate(_ request: Request, database: DatabasePool) async throws -> Result<TokenClaims, TokenRejection> {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return .failure(.malformed) }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        return try await database.read { try TokenIssuer.verify($0, token: token, now: Int64(Date().timeIntervalSince1970)) }
    }

    /// The route guard of auth's own service routes (backups): tokens and keys checked against
    /// auth's own store, refusals appended to the audit log directly.
    static func localGuard(database: DatabasePool) -> RouteGuard {
        RouteGuard(
            authenticate: { header in
                guard let header, header.hasPrefix("Bearer ") else {
                    return .unauthenticated("authentication required: send Authorization: Bearer <token from POST /v1/login>")
                }
                let credential = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
                do {
                    if credential.hasPrefix("cmk_") {
                        let identity = try await database.read { try IdentityStore.verify($0, key: credential) }
                        guard identity.valid, let keyID = identity.keyID, let role = identity.role.flatMap(Role.init(rawValue:)) else {
                            return .unauthenticated("the API key is unknown or revoked")
                        }
                        return .authenticated(Principal(subject: "key:\(keyID)", tenant: identity.tenant, role: role))
                    }
                    switch try await database.read({ try TokenIssuer.verify($0, token: credential, now: Int64(Date().timeIntervalSince1970)) }) {
                    case .success(let claims): return .authenticated(claims.principal)
                    case .failure(let rejection): return .unauthenticated(rejection.description)
                    }
                } catch {
                    return .unavailable("could not read identities: \(error)")
                }
            },
            reportDenial: { principal, action, reason in
                try? await audit(
                    database,
                    AuditEntry(actor: principal?.subject ?? "anonymous", action: "denied \(action)", tenant: principal?.tenant, outcome: "denied",
                        detail: "auth: \(reason)"))
            })
    }

    private static func audit(_ database: DatabasePool, _ entry: AuditEntry) async throws {
        try await database.write { try AuditLog.append($0, entry) }
    }
}

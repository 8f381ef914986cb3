import AccessControl
import CarbonModel
import Contracts
import Crypto
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit

/// A tenant's export and erase, orchestrated by auth: `GET /v1/tenants/{tenant}/export` and
/// `POST /v1/tenants/{tenant}/erase`, for the tenant's own tenant_admin or the provider_admin.
/// Auth answers for its own store (users and keys without secrets, audit rows about the tenant)
/// and asks every other service over ZeroMQ (`tenant.export.v1`, `tenant.erase.v1` on their
/// control endpoints, with the caller's token) — no store is opened but auth's own.
///
/// Erase keeps the tenant's usage and its share of the emissions under a pseudonym
/// (`erased-<hash>`, an HMAC of the tenant name under a key only auth holds, so a retry after a
/// partial failure uses the same name and the name cannot be guessed back from candidate
/// tenants): deleting the usage would, at the next recalculation, move the sites' emissions onto
/// the other tenants. Identities go: users, keys, login state; the users' tokens are revoked.
/// Audit rows about the tenant stay — no row can leave the chain without `verify-audit` naming
/// it — and the erase itself is appended.
enum TenantPrivacyRoutes {
    static func add(
        to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, signing: TokenSigningKey, services: ControlClients, logger: Logger
    ) {
        router.get("/v1/tenants/{tenant}/export") { request, context -> Response in
            let tenant = try context.parameters.require("tenant")
            let (claims, token) = try await admit(request, context, tenant: tenant)
            var answers: [JSONValue] = []
            let targets: [RequestClient]
            switch await Self.reachable(services) {
            case .success(let clients): targets = clients
            case .failure(let problem):
                throw APIError(.badGateway, "the export could not be completed: \(problem.message); nothing was changed")
            }
            for service in targets {
                do {
                    let reply = try await service.request(
                        type: TenantPrivacyRequest.exportType, body: WireFrame.encodeJSON(TenantPrivacyRequest(tenant: tenant)),
                        timeoutMilliseconds: 30_000, apiKey: token)
                    answers.append(try JSONDecoder().decode(JSONValue.self, from: reply.body))
                } catch {
                    throw APIError(.badGateway, "the export could not be completed: a service did not answer (\(error)); nothing was changed")
                }
            }
            let own = try await database.write { db -> JSONValue in
                let own = try TenantIdentities.export(db, tenant: tenant)
                try AuditLog.append(db, AuditEntry(actor: claims.subject, action: "tenant.export", tenant: tenant, outcome: "success", detail: "\(targets.count + 1) services"))
                return own
            }
            let document = JSONValue.object([
                "tenant": .string(tenant), "exported_at": .integer(Int64(Date().timeIntervalSince1970)),
                "services": .array([.object(["service": .string("auth"), "tenant": .string(tenant), "data": own])] + answers),
            ])
            let data = try document.encoded()
            return HTTPSupport.raw(data, contentType: "application/json")
        }

        router.post("/v1/tenants/{tenant}/erase") { request, context -> Response in
            let tenant = try context.parameters.require("tenant")
            let (claims, token) = try await admit(request, context, tenant: tenant)
            let pseudonym = Self.pseudonym(of: tenant, key: signing)
            var changed: [String: [String: Int]] = [:]
            let targets: [RequestClient]
            switch await Self.reachable(services) {
            case .success(let clients): targets = clients
            case .failure(let problem):
                throw APIError(.badGateway, "the erase was not started: \(problem.message); nothing was changed")
            }
            for service in targets {
                do {
                    let reply = try await service.request(
                        type: TenantPrivacyRequest.eraseType,
                        body: WireFrame.encodeJSON(TenantPrivacyRequest(tenant: tenant, pseudonym: pseudonym)), timeoutMilliseconds: 60_000,
                        apiKey: token)
                    let answer = try JSONDecoder().decode(EraseReply.self, from: reply.body)
                    // Replicas of one service each answer for their own shard: add them up.
                    changed[answer.service, default: [:]].merge(answer.changed, uniquingKeysWith: +)
                } catch {
                    // Services already done stay done; a retry renames nothing twice and uses the same pseudonym.
                    logger.error("tenant erase incomplete", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                    throw APIError(.badGateway, "the erase is incomplete: a service did not confirm (\(error)); send the same request again")
                }
            }
            let now = Int64(Date().timeIntervalSince1970)
            let summary = changed.keys.sorted().joined(separator: ", ")
            changed["auth"] = try await database.write { db -> [String: Int] in
                let own = try TenantIdentities.erase(db, tenant: tenant, pseudonym: pseudonym, now: now)
                try AuditLog.append(
                    db, AuditEntry(actor: claims.subject, action: "tenant.erase", tenant: tenant, outcome: "success", detail: "erased in auth, \(summary)"))
                return own
            }
            return HTTPSupport.json(EraseAnswer(tenant: tenant, pseudonym: pseudonym, changed: changed))
        }
    }

    /// The caller (authenticated by the middleware), checked: the tenant's own tenant_admin or
    /// the provider_admin; and the token to present to the other services. Another tenant's name
    /// gets the same refusal whether or not that tenant exists.
    static func admit(_ request: Request, _ context: ServiceRequestContext, tenant: String) async throws(APIError) -> (Principal, String) {
        try await context.authorize { AccessPolicy.manageTenant($0, tenant: tenant, what: "a tenant's export or erase") }
        guard let principal = context.principal else {
            throw APIError(.internalServerError, "a tenant's export or erase needs a signed-in caller; this route was registered without one")
        }
        return (principal, Credential(authorization: request.headers[.authorization])?.text ?? "")
    }

    /// `erased-` and 16 hex digits of HMAC-SHA256(tenant) under auth's signing key.
    static func pseudonym(of tenant: String, key signing: TokenSigningKey) -> String {
        let key = SymmetricKey(data: signing.key.rawRepresentation)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("tenant-erase:\(tenant)".utf8), using: key)
        return "erased-" + mac.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Why the other services cannot all be asked (a replica name with no address).
    struct Unreachable: Error {
        var message: String
    }

    /// Every service's control client, or why one cannot be reached: an export or erase that
    /// skipped a replica would be incomplete without saying so.
    static func reachable(_ services: ControlClients) async -> Result<[RequestClient], Unreachable> {
        do {
            var clients: [RequestClient] = []
            for target in try await services.targets() {
                switch target {
                case .client(let client): clients.append(client)
                case .unresolved(let why): return .failure(Unreachable(message: why))
                }
            }
            return .success(clients)
        } catch {
            return .failure(Unreachable(message: "cannot connect to a control endpoint: \(error)"))
        }
    }
}

/// The body of `POST /v1/tenants/{tenant}/erase`: the pseudonym the tenant's figures are kept
/// under and how many rows each service changed.
struct EraseAnswer: Encodable, Sendable {
    var tenant: String
    var pseudonym: String
    var changed: [String: [String: Int]]
}

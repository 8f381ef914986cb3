import AccessControl
import CarbonModel
import Contracts
import Foundation
import GRDB
import Messaging

/// What a service does for a tenant's export and erase, on its own store.
public protocol TenantDataKeeper: Sendable {
    /// Everything the service holds about `tenant`, as a JSON document.
    func export(_ db: Database, tenant: String) throws -> JSONValue
    /// Removes what identifies `tenant` (rows deleted, or renamed to `pseudonym` where figures of
    /// others depend on them); returns how many rows each table had changed.
    func erase(_ db: Database, tenant: String, pseudonym: String) throws -> [String: Int]
}

/// The control-endpoint handlers of `tenant.export.v1` and `tenant.erase.v1`: the caller's
/// credential (header `api_key`) must be the provider admin's or the tenant's own tenant admin's
/// when authentication is on; the export is one read, the erase one write transaction.
public enum TenantPrivacyHandlers {
    enum Admission {
        case admitted(TenantPrivacyRequest)
        case refused(Reply)
    }

    public static func make(
        service: String, database: DatabasePool, keeper: some TenantDataKeeper, authenticator: Authenticator?
    ) -> [String: RequestServer.Handler] {
        @Sendable func admit(_ request: Request) async -> Admission {
            // Any unreadable body gets the same 400 naming the shape it must have.
            guard let asked = try? JSONDecoder().decode(TenantPrivacyRequest.self, from: request.body), !asked.tenant.isEmpty else {
                return .refused(.failure(400, "body must be {\"tenant\": …}"))
            }
            guard let authenticator else { return .admitted(asked) }
            switch await authenticator.authenticate(credential: request.header.apiKey) {
            case .authenticated(let principal):
                switch AccessPolicy.manageTenant(principal, tenant: asked.tenant, what: "a tenant's export or erase") {
                case .allowed: return .admitted(asked)
                case .denied(let message):
                    await authenticator.recordDenial(principal, action: request.header.type, reason: message)
                    return .refused(.failure(403, message))
                }
            case .unauthenticated(let message): return .refused(.failure(401, message))
            case .unavailable(let message): return .refused(.failure(503, message))
            }
        }
        return [
            TenantPrivacyRequest.exportType: { request in
                let asked: TenantPrivacyRequest
                switch await admit(request) {
                case .admitted(let a): asked = a
                case .refused(let reply): return reply
                }
                do {
                    let data = try await database.read { db -> Data in
                        let document = JSONValue.object([
                            "service": .string(service), "tenant": .string(asked.tenant), "data": try keeper.export(db, tenant: asked.tenant),
                        ])
                        return try document.encoded()
                    }
                    return Reply(body: data)
                } catch {
                    return .failure(500, "\(service) could not export tenant \(asked.tenant): \(error)")
                }
            },
            TenantPrivacyRequest.eraseType: { request in
                let asked: TenantPrivacyRequest
                switch await admit(request) {
                case .admitted(let a): asked = a
                case .refused(let reply): return reply
                }
                guard let pseudonym = asked.pseudonym, pseudonym.hasPrefix("erased-") else {
                    return .failure(400, "an erase names the pseudonym (erased-…) the tenant's figures are kept under")
                }
                do {
                    let changed = try await database.write { try keeper.erase($0, tenant: asked.tenant, pseudonym: pseudonym) }
                    return .json(EraseReply(service: service, changed: changed))
                } catch {
                    return .failure(500, "\(service) could not erase tenant \(asked.tenant): \(error)")
                }
            },
        ]
    }
}

/// What a service answers an erase: how many rows of which table changed.
public struct EraseReply: Codable, Sendable {
    public var service: String
    public var changed: [String: Int]
    public init(service: String, changed: [String: Int]) {
        self.service = service
        self.changed = changed
    }
}

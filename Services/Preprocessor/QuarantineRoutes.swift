import AccessControl
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// One quarantined record as listed over HTTP.
struct QuarantinedRecord: Codable, Sendable {
    var batch: String
    var entity: String
    var line: Int?
    var index: Int?
    var field: String?
    var reason: String
    var raw: String
    var receivedAt: Int64

    enum CodingKeys: String, CodingKey {
        case batch, entity, line, index, field, reason, raw
        case receivedAt = "received_at"
    }
}

/// The body of `GET /v1/quarantine`: how many records match, and one page of them.
struct QuarantinePage: ResponseEncodable, Sendable {
    var total: Int
    var records: [QuarantinedRecord]
}

/// `GET /v1/quarantine`: the rejected records, newest first, optionally of one batch. With
/// authentication on, a tenant's credentials list only the records of batches its tenant sent
/// (another tenant's batch id lists nothing, as an unknown one does); the provider's list all.
enum QuarantineRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool) {
        router.get("/v1/quarantine") { request, context -> QuarantinePage in
            let tenant = AccessPolicy.tenantScope(context.principal, requested: nil)
            let query = request.uri.queryParameters
            let batch = query.get("batch")
            let limit = min(max(query.get("limit", as: Int.self) ?? 100, 1), 10_000)
            let offset = max(query.get("offset", as: Int.self) ?? 0, 0)
            let (total, entries) = try await database.read { try QuarantineEntry.page($0, batch: batch, tenant: tenant, limit: limit, offset: offset) }
            return QuarantinePage(total: total, records: entries.map(\.listed))
        }
    }
}

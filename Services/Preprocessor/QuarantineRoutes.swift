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

/// `GET /v1/quarantine`: the rejected records, newest first, optionally of one batch. With
/// authentication on, a tenant's credentials list only the records of batches its tenant sent
/// (another tenant's batch id lists nothing, as an unknown one does); the provider's list all.
enum QuarantineRoutes {
    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, access: RouteGuard) {
        router.get("/v1/quarantine") { request, _ -> Response in
            let principal: Principal?
            switch await access.identify(request, action: "GET /v1/quarantine") {
            case .admitted(let who): principal = who
            case .refused(let refusal): return refusal
            }
            let tenant = AccessPolicy.tenantScope(principal, requested: nil)
            let query = request.uri.queryParameters
            let batch = query.get("batch")
            let limit = min(max(query.get("limit", as: Int.self) ?? 100, 1), 10_000)
            let offset = max(query.get("offset", as: Int.self) ?? 0, 0)
            let (total, records) = try await database.read { db -> (Int, [QuarantinedRecord]) in
                var conditions: [String] = []
                var values: [any DatabaseValueConvertible] = []
                if let batch {
                    conditions.append("batch = ?")
                    values.append(batch)
                }
                if let tenant {
                    conditions.append("tenant = ?")
                    values.append(tenant)
                }
                let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let arguments: StatementArguments = StatementArguments(values)
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine \(filter)", arguments: arguments) ?? 0
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM quarantine \(filter) ORDER BY seq DESC LIMIT \(limit) OFFSET \(offset)", arguments: arguments)
                return (total, rows.map { row in
                    let format: String = row["format"]
                    let position: Int = row["position"]
                    return QuarantinedRecord(
                        batch: row["batch"], entity: row["entity"], line: format == "json" ? nil : position,
                        index: format == "json" ? position : nil, field: row["field"], reason: row["reason"],
                        raw: String(decoding: row["raw"] as Data, as: UTF8.self), receivedAt: row["received_at"])
                })
            }
            struct Page: Codable { var total: Int; var records: [QuarantinedRecord] }
            return HTTPSupport.json(Page(total: total, records: records))
        }
    }
}

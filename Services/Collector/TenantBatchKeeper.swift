import Foundation
import GRDB
import ServiceKit

/// The collector's part of a tenant's export and erase: the batches the tenant's credentials
/// sent. Export: each batch as received. Erase: the bodies are emptied and the sender forgotten;
/// the batch rows stay (renamed to the pseudonym) so that verdicts and counts still add up.
/// Batches the provider sent on a tenant's behalf are not looked into (their records reach the
/// tenant's export and erase through the preprocessor and the calculator).
struct TenantBatchKeeper: TenantDataKeeper {
    func export(_ db: Database, tenant: String) throws -> JSONValue {
        let batches = try Row.fetchAll(
            db,
            sql: """
                SELECT id, entity, format, channel, received_at, record_count, COALESCE(batch_bodies.body, X'') AS body, submitter
                FROM batches LEFT JOIN batch_bodies ON batch_bodies.batch = batches.id
                WHERE tenant = ? ORDER BY received_at, id
                """,
            arguments: [tenant]
        ).map { row -> JSONValue in
            .object([
                "batch": .string(row["id"] as String), "entity": .string(row["entity"] as String), "format": .string(row["format"] as String),
                "channel": .string(row["channel"] as String), "received_at": .integer(row["received_at"] as Int64),
                "records": .integer(row["record_count"] as Int64), "submitter": .string(row["submitter"] as String?),
                "body": .string(String(decoding: row["body"] as Data, as: UTF8.self)),
            ])
        }
        return .object(["batches": .array(batches)])
    }

    func erase(_ db: Database, tenant: String, pseudonym: String) throws -> [String: Int] {
        try db.execute(
            sql: "UPDATE batch_bodies SET body = X'' WHERE batch IN (SELECT id FROM batches WHERE tenant = ?)", arguments: [tenant])
        try db.execute(sql: "UPDATE batches SET body = X'', submitter = NULL, tenant = ? WHERE tenant = ?", arguments: [pseudonym, tenant])
        return ["batches": db.changesCount]
    }
}

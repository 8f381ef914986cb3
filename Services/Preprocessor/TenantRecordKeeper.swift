import CarbonModel
import Contracts
import Foundation
import GRDB
import ServiceKit

/// The preprocessor's part of a tenant's export and erase: the records naming the tenant
/// (current and earlier revisions) and its quarantined records. Erase keeps
/// the usage quantities under the pseudonym — deleting them would move the sites' emissions
/// onto the other tenants at the next recalculation — and deletes the quarantined records.
struct TenantRecordKeeper: TenantDataKeeper {
    func export(_ db: Database, tenant: String) throws -> [String: Any] {
        var records: [Any] = []
        for row in try Row.fetchAll(db, sql: "SELECT source, id, canonical FROM records ORDER BY source, id") {
            if let record = try Self.record(row["canonical"], naming: tenant, document: Self.document("records", row)) {
                records.append(record)
            }
        }
        let quarantined = try Row.fetchAll(
            db, sql: "SELECT batch, entity, reason, raw, received_at FROM quarantine WHERE tenant = ? ORDER BY seq", arguments: [tenant]
        ).map { row -> [String: Any] in
            [
                "batch": row["batch"] as String, "entity": row["entity"] as String, "reason": row["reason"] as String,
                "raw": String(decoding: row["raw"] as Data, as: UTF8.self), "received_at": row["received_at"] as Int64,
            ]
        }
        return ["records": records, "quarantine": quarantined]
    }

    func erase(_ db: Database, tenant: String, pseudonym: String) throws -> [String: Int] {
        var changed: [String: Int] = ["records": 0, "record_history": 0]
        for (table, key) in [("records", "source, id, owner"), ("record_history", "source, id, owner, revision")] {
            for row in try Row.fetchAll(db, sql: "SELECT \(key), canonical FROM \(table)") {
                guard let renamed = try TenantRename.json(row["canonical"], tenant: tenant, to: pseudonym, document: Self.document(table, row))
                else { continue }
                if table == "records" {
                    try db.execute(
                        sql: "UPDATE records SET canonical = ? WHERE source = ? AND id = ? AND owner = ?",
                        arguments: [renamed, row["source"], row["id"], row["owner"]])
                } else {
                    try db.execute(
                        sql: "UPDATE record_history SET canonical = ? WHERE source = ? AND id = ? AND owner = ? AND revision = ?",
                        arguments: [renamed, row["source"], row["id"], row["owner"], row["revision"]])
                }
                changed[table, default: 0] += 1
            }
            // The records the tenant's own credentials wrote stay its, under the pseudonym.
            try db.execute(sql: "UPDATE \(table) SET owner = ? WHERE owner = ?", arguments: [pseudonym, tenant])
        }
        try db.execute(sql: "DELETE FROM quarantine WHERE tenant = ?", arguments: [tenant])
        changed["quarantine"] = db.changesCount
        return changed
    }

    /// The stored record when it names `tenant` (cheap byte check first, then the field); nil
    /// when it does not. A record holding the name's bytes that is not JSON (none should be)
    /// cannot say whose it is: leaving it out would make the export incomplete without a word,
    /// and putting it in could hand over another tenant's record, so the export fails naming it.
    static func record(_ data: Data, naming tenant: String, document: String) throws(TenantDocumentError) -> [String: Any]? {
        guard data.range(of: Data(tenant.utf8)) != nil else { return nil }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw .unreadable(document: document, tenant: tenant, reason: "\(error)")
        }
        guard let object = parsed as? [String: Any], object["tenant"] as? String == tenant else { return nil }
        return object
    }

    /// A stored record's row, for an error: `records row <source>/<id>`.
    private static func document(_ table: String, _ row: Row) -> String {
        "\(table) row \(row["source"] as String? ?? "?")/\(row["id"] as String? ?? "?")"
    }
}

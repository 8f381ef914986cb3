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
        for data in try Data.fetchAll(db, sql: "SELECT canonical FROM records ORDER BY source, id") where Self.names(data, tenant) {
            // An export leaves nothing out: a stored record that is not JSON (none should be)
            // goes in as the text it is.
            if let object = try? JSONSerialization.jsonObject(with: data) {
                records.append(object)
            } else {
                records.append(["unparsed_record": String(decoding: data, as: UTF8.self)])
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
                guard let renamed = TenantRename.json(row["canonical"], tenant: tenant, to: pseudonym) else { continue }
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

    /// Whether a stored record names `tenant` (cheap byte check first, then the field).
    static func names(_ data: Data, _ tenant: String) -> Bool {
        guard data.range(of: Data(tenant.utf8)) != nil, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["tenant"] as? String == tenant
    }
}

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
    // Raw SQL throughout: one loop over `records` and `record_history` (different keys, table named at run time)
    // rewrites every stored record's bytes, beside the statements BatchProcessor writes those tables with.
    func export(_ db: Database, tenant: String) throws -> JSONValue {
        var records: [JSONValue] = []
        for row in try Row.fetchAll(db, sql: "SELECT source, id, canonical FROM records ORDER BY source, id") {
            if let record = try Self.record(row["canonical"], naming: tenant, document: Self.document("records", row)) {
                records.append(record)
            }
        }
        let quarantined = try QuarantineEntry.filter(QuarantineEntry.Columns.tenant == tenant).order(QuarantineEntry.Columns.seq).fetchAll(db).map {
            JSONValue.object([
                "batch": .string($0.batch), "entity": .string($0.entity), "reason": .string($0.reason),
                "raw": .string(String(decoding: $0.raw, as: UTF8.self)), "received_at": .integer($0.receivedAt),
            ])
        }
        return .object(["records": .array(records), "quarantine": .array(quarantined)])
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
    static func record(_ data: Data, naming tenant: String, document: String) throws(TenantDocumentError) -> JSONValue? {
        guard data.range(of: Data(tenant.utf8)) != nil else { return nil }
        let parsed: JSONValue
        do { parsed = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .unreadable(document: document, tenant: tenant, reason: "\(error)")
        }
        guard case .object(let object) = parsed, object["tenant"] == .string(tenant) else { return nil }
        return parsed
    }

    /// A stored record's row, for an error: `records row <source>/<id>`.
    private static func document(_ table: String, _ row: Row) -> String {
        "\(table) row \(row["source"] as String? ?? "?")/\(row["id"] as String? ?? "?")"
    }
}

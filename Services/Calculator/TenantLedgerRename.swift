import CarbonModel
import Contracts
import Foundation
import GRDB
import ServiceKit

/// The calculator's part of a tenant's erase (its export adds nothing the preprocessor's and the
/// reporter's do not hold: the same records, and the results). The tenant's records, series and
/// stored results are renamed to the pseudonym, not deleted: with usage-based allocation its
/// usage decides how much of each site's emissions the other tenants carry, so the quantities
/// stay and only the name goes. Nothing is recalculated, so no figure changes.
struct TenantLedgerRename: TenantDataKeeper {
    func export(_ db: Database, tenant: String) throws -> JSONValue {
        .object(["note": .string("the calculator's records and results are exported by the preprocessor and the reporter")])
    }

    func erase(_ db: Database, tenant: String, pseudonym: String) throws -> [String: Int] {
        var changed: [String: Int] = ["records": 0, "results": 0]
        for row in try Row.fetchAll(db, sql: "SELECT source, id, owner, normalized FROM records") {
            let document = "records row \(row["source"] as String? ?? "?")/\(row["id"] as String? ?? "?")"
            guard let renamed = try TenantRename.json(row["normalized"], tenant: tenant, to: pseudonym, document: document) else { continue }
            try db.execute(
                sql: "UPDATE records SET normalized = ? WHERE source = ? AND id = ? AND owner = ?",
                arguments: [renamed, row["source"], row["id"], row["owner"]])
            changed["records", default: 0] += 1
        }
        // The records the tenant's own credentials wrote stay its (under the pseudonym), so that
        // nothing of the name remains in their identity either.
        try db.execute(sql: "UPDATE records SET owner = ? WHERE owner = ?", arguments: [pseudonym, tenant])
        try db.execute(sql: "UPDATE series SET tenant = ? WHERE tenant = ?", arguments: [pseudonym, tenant])
        changed["series"] = db.changesCount
        try db.execute(sql: "UPDATE tag_usage SET tenant = ? WHERE tenant = ?", arguments: [pseudonym, tenant])
        changed["tag_usage"] = db.changesCount
        // What was published under the name is held under the pseudonym from now on, as the
        // reporter holds it (its own erase renames the same cells).
        try db.execute(sql: "UPDATE published_tenant_cells SET tenant = ? WHERE tenant = ?", arguments: [pseudonym, tenant])
        changed["published_tenant_cells"] = db.changesCount
        try db.execute(sql: "UPDATE changed_tenant_cells SET tenant = ? WHERE tenant = ?", arguments: [pseudonym, tenant])
        // Stores from before change sets kept each region-month's whole result.
        for row in try Row.fetchAll(db, sql: "SELECT region, month, result FROM results WHERE length(result) > 0") {
            let document = "results row \(row["region"] as String? ?? "?")/\(row["month"] as String? ?? "?")"
            guard let renamed = try TenantRename.json(row["result"], tenant: tenant, to: pseudonym, document: document) else { continue }
            try db.execute(sql: "UPDATE results SET result = ? WHERE region = ? AND month = ?", arguments: [renamed, row["region"], row["month"]])
            changed["results", default: 0] += 1
        }
        return changed
    }
}

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
        for var record in try StoredRecordRow.fetchAll(db) {
            let document = "records row \(record.source)/\(record.id)"
            guard let renamed = try TenantRename.json(record.normalized, tenant: tenant, to: pseudonym, document: document) else { continue }
            record.normalized = renamed
            try record.update(db, columns: [StoredRecordRow.Columns.normalized])
            changed["records", default: 0] += 1
        }
        // The records the tenant's own credentials wrote stay its (under the pseudonym), so that
        // nothing of the name remains in their identity either.
        try StoredRecordRow.filter(StoredRecordRow.Columns.owner == tenant).updateAll(db, StoredRecordRow.Columns.owner.set(to: pseudonym))
        changed["series"] = try renameTenant(db, in: "series", tenant: tenant, pseudonym: pseudonym)
        changed["tag_usage"] = try renameTenant(db, in: "tag_usage", tenant: tenant, pseudonym: pseudonym)
        // What was published under the name is held under the pseudonym from now on, as the
        // reporter holds it (its own erase renames the same cells).
        changed["published_tenant_cells"] = try renameTenant(db, in: "published_tenant_cells", tenant: tenant, pseudonym: pseudonym)
        try renameTenant(db, in: "changed_tenant_cells", tenant: tenant, pseudonym: pseudonym)
        // Stores from before change sets kept each region-month's whole result.
        for var result in try ResultRow.filter(length(ResultRow.Columns.result) > 0).fetchAll(db) {
            let document = "results row \(result.region)/\(result.month)"
            guard let renamed = try TenantRename.json(result.result, tenant: tenant, to: pseudonym, document: document) else { continue }
            result.result = renamed
            try result.update(db, columns: [ResultRow.Columns.result])
            changed["results", default: 0] += 1
        }
        return changed
    }

    /// Renames `tenant` to `pseudonym` in the `tenant` column of `table`; returns how many rows changed.
    @discardableResult
    private func renameTenant(_ db: Database, in table: String, tenant: String, pseudonym: String) throws -> Int {
        try Table(table).filter(Column("tenant") == tenant).updateAll(db, Column("tenant").set(to: pseudonym))
    }
}

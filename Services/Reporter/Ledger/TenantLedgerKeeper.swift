import Foundation
import GRDB
import ServiceKit

/// The reporter's part of a tenant's export and erase. Export: the tenant's ledger rows (every
/// mode), targets, budgets and alerts. Erase: targets, budgets and alerts are deleted; the
/// tenant's ledger rows are renamed to the pseudonym, not deleted — they are its share of the
/// sites' emissions, and deleting them would not give them back to anyone: the site and product
/// layers still hold them, so the provider's figures and every other tenant's stay as they are.
struct TenantLedgerKeeper: TenantDataKeeper {
    // Raw SQL because one statement serves every table of `ledgerTables`: an export reads every
    // column whatever the table holds, and an erase renames or deletes by `tenant` in each.
    static let ledgerTables = ["tenant_cells", "tenant_cells_superseded", "hourly_rows", "hourly_uniform", "superseded_cells", "tag_parts"]

    func export(_ db: Database, tenant: String) throws -> JSONValue {
        // Every column of every row, whatever the table holds: an export leaves nothing out.
        func rows(_ sql: String) throws -> JSONValue {
            .array(
                try Row.fetchAll(db, sql: sql, arguments: [tenant]).map { row in
                    var object: [String: JSONValue] = [:]
                    for (column, value) in row {
                        switch value.storage {
                        case .null: object[column] = .null
                        case .int64(let v): object[column] = .integer(v)
                        case .double(let v): object[column] = .number(v)
                        case .string(let v): object[column] = .string(v)
                        case .blob(let v): object[column] = .string(v.base64EncodedString())
                        }
                    }
                    return .object(object)
                })
        }
        return .object([
            "emissions": try rows("SELECT * FROM ledger WHERE tenant = ? ORDER BY month, region, product, mode"),
            "targets": try rows("SELECT * FROM targets WHERE tenant = ?"),
            "budgets": try rows("SELECT * FROM budgets WHERE tenant = ? ORDER BY month"),
            "alerts": try rows("SELECT * FROM budget_alerts WHERE tenant = ? ORDER BY id"),
        ])
    }

    func erase(_ db: Database, tenant: String, pseudonym: String) throws -> [String: Int] {
        var changed: [String: Int] = [:]
        for table in Self.ledgerTables {
            try db.execute(sql: "UPDATE \(table) SET tenant = ? WHERE tenant = ?", arguments: [pseudonym, tenant])
            changed[table] = db.changesCount
        }
        for table in ["targets", "budgets", "budget_alerts"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE tenant = ?", arguments: [tenant])
            changed[table] = db.changesCount
        }
        return changed
    }
}

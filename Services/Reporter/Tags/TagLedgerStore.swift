import CarbonModel
import Foundation
import GRDB

/// The reporter's copy of the tag parts of each region-month (``TagPart``), beside the ledger:
/// a tenant cell's parts are replaced with the cell (``TenantCellStore``), and their figures
/// follow the cell's (``DerivedTenantCells``).
enum TagLedgerStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-tags-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tag_ledger (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        product TEXT NOT NULL,
                        tag_key TEXT NOT NULL,
                        tag_value TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        usage REAL NOT NULL,
                        scope1 REAL NOT NULL,
                        scope2_location REAL NOT NULL,
                        scope2_market REAL NOT NULL,
                        scope3 REAL NOT NULL,
                        energy_kwh REAL NOT NULL,
                        PRIMARY KEY (region, month, tenant, product, tag_key, tag_value)
                    ) WITHOUT ROWID;
                    CREATE INDEX tag_ledger_tenant ON tag_ledger (tenant, tag_key, month);
                    """)
        }
    }

    /// A tenant's parts for one key, and its tenant cells, in a period and mode.
    static func breakdown(_ db: Database, tenant: String, key: String, from: CalendarMonth?, to: CalendarMonth?, mode: ResultMode) throws
        -> TagBreakdownReport
    {
        var period = ""
        var range: [any DatabaseValueConvertible] = []
        if let from {
            period += " AND month >= ?"
            range.append(from.description)
        }
        if let to {
            period += " AND month <= ?"
            range.append(to.description)
        }
        let figures = DerivedTenantCells.scopes.joined(separator: ", ")
        func cell(_ row: Row, value: String) -> TagBreakdownReport.Cell {
            TagBreakdownReport.Cell(
                region: row["region"], month: row["month"], product: row["product"], value: value, usage: row["usage"] ?? 0,
                figures: EmissionFigures(
                    scope1: row["scope1"], scope2Location: row["scope2_location"], scope2Market: row["scope2_market"], scope3: row["scope3"],
                    energyKWh: row["energy_kwh"], scope2MarketHourly: row["scope2_market_hourly"] ?? 0, cfeKWh: row["cfe_kwh"] ?? 0,
                    waterL: row["water_l"] ?? 0))
        }
        let cells = try Row.fetchAll(
            db, sql: "SELECT region, month, product, usage, \(figures) FROM ledger WHERE layer = 'tenant' AND tenant = ? AND mode = ?\(period)",
            arguments: StatementArguments([tenant, mode.rawValue] + range)
        ).map { cell($0, value: TagBreakdown.untagged) }
        let parts = try Row.fetchAll(
            db,
            sql: """
                SELECT region, month, product, tag_value, usage, \(figures) FROM tag_ledger
                WHERE tenant = ? AND tag_key = ? AND mode = ?\(period)
                """,
            arguments: StatementArguments([tenant, key, mode.rawValue] + range)
        ).map { cell($0, value: $0["tag_value"]) }
        return TagBreakdownReport(tenantCells: cells, parts: parts)
    }

    /// The tag keys of `tenant`'s usage in the months from `from` to `to`, sorted.
    static func keys(_ db: Database, tenant: String, from: CalendarMonth, to: CalendarMonth) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT tag_key FROM tag_ledger WHERE tenant = ? AND month >= ? AND month <= ? ORDER BY tag_key",
            arguments: [tenant, from.description, to.description])
    }
}

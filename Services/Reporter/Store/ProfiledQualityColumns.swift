import GRDB

/// The profiled part of the data-quality shares (grid electricity spread over its hours by a
/// load profile, docs/model.md §6): a kg CO2e part on every site, product-site and product
/// row, current and superseded, the product's share from which measured tenant cells derive
/// theirs, and an estimated or legacy tenant cell's own part (always 0: estimates rest on no
/// meter). The ledger views are made again with it. Rows stored before read 0.
enum ProfiledQualityColumns {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-quality-profiled-v1") { db in
            try db.execute(sql: "DROP VIEW ledger; DROP VIEW ledger_superseded")
            for table in ["ledger_cells", "superseded_cells"] {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN quality_profiled REAL NOT NULL DEFAULT 0")
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN quality_share_profiled REAL")
            }
            for table in ["tenant_cells", "tenant_cells_superseded"] {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN quality_profiled REAL")
            }
            try db.execute(sql: DerivedTenantCells.ledgerView(HourlyMatchingColumns.scopes, qualities: DerivedTenantCells.qualities))
            try db.execute(sql: DerivedTenantCells.supersededView(HourlyMatchingColumns.scopes, qualities: DerivedTenantCells.qualities))
        }
    }
}

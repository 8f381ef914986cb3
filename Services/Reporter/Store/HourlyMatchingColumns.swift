import GRDB

/// The figures of the hourly method of market-based scope 2 (`scope2_market_hourly`) and the
/// carbon-free energy (`cfe_kwh`), stored beside the other figures of every cell, current and
/// superseded, with their unallocated parts, in tenant cells, tag parts and hours; the views
/// are made again with them. Rows stored before read 0 until their region-month is published
/// again (the calculator recalculates every region-month once after its own upgrade).
enum HourlyMatchingColumns {
    static let added = ["scope2_market_hourly", "cfe_kwh"]
    /// The figure columns of the views this migration makes (later migrations add their own).
    static let scopes = DerivedTenantCells.scopesV1 + added

    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-hourly-matching-v1") { db in
            try db.execute(sql: "DROP VIEW ledger; DROP VIEW ledger_superseded; DROP VIEW tag_ledger; DROP VIEW ledger_hourly")
            try DerivedTenantCells.addFigureColumns(db, added)
            for table in ["hourly_rows", "hourly_uniform"] {
                for column in added { try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(column) REAL NOT NULL DEFAULT 0") }
            }
            try db.execute(sql: DerivedTenantCells.ledgerView(scopes, qualities: DerivedTenantCells.qualitiesV1))
            try db.execute(sql: DerivedTenantCells.supersededView(scopes, qualities: DerivedTenantCells.qualitiesV1))
            try db.execute(sql: DerivedTenantCells.tagView(scopes))
            try db.execute(sql: UniformHours.hourlyView(scopes))
        }
    }
}

import GRDB

/// The water consumed (`water_l`, docs/model.md §21) stored beside the other figures of every
/// cell, current and superseded, with its unallocated part, in tenant cells and tag parts; the
/// views are made again with it. Water is a monthly figure: the hourly tables do not carry it.
/// Rows stored before read 0 until their region-month is published again.
enum WaterColumns {
    static let added = ["water_l"]
    /// The figure columns of the monthly views from this migration on.
    static let scopes = HourlyMatchingColumns.scopes + added

    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-water-v1") { db in
            try db.execute(sql: "DROP VIEW ledger; DROP VIEW ledger_superseded; DROP VIEW tag_ledger")
            try DerivedTenantCells.addFigureColumns(db, added)
            try db.execute(sql: DerivedTenantCells.ledgerView(scopes, qualities: DerivedTenantCells.qualities))
            try db.execute(sql: DerivedTenantCells.supersededView(scopes, qualities: DerivedTenantCells.qualities))
            try db.execute(sql: DerivedTenantCells.tagView(scopes))
        }
    }
}

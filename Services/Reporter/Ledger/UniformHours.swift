import CarbonModel
import Contracts
import GRDB

/// Hourly series whose hours are all equal — a month holding nothing but amortized embodied
/// emissions, spread evenly over its hours — are stored as one row (`hourly_uniform`: the
/// figures of each hour and how many hours) instead of one row per hour. The `ledger_hourly`
/// view gives them back hour by hour, so every hourly and daily answer derives their hours
/// exactly as it read them before; `hourly_rows` holds the other series, one row per hour.
enum UniformHours {
    // Raw SQL throughout: this writes and deletes one row per series hour on the delivery path measured by
    // scripts/bench (provider mix); cached prepared statements keep per-row CPU down.
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-uniform-hours-v1") { db in
            try db.execute(
                sql: """
                    ALTER TABLE ledger_hourly RENAME TO hourly_rows;
                    CREATE TABLE hourly_uniform (
                        layer TEXT NOT NULL,
                        part TEXT NOT NULL CHECK (part IN ('total', 'unallocated')),
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        site TEXT,
                        product TEXT,
                        tenant TEXT,
                        mode TEXT NOT NULL,
                        first_hour INTEGER NOT NULL,
                        hours INTEGER NOT NULL CHECK (hours BETWEEN 1 AND \(HourlySeries.maximumHours)),
                        scope1 REAL NOT NULL,
                        scope2_location REAL NOT NULL,
                        scope2_market REAL NOT NULL,
                        scope3 REAL NOT NULL,
                        energy_kwh REAL NOT NULL
                    );
                    CREATE INDEX hourly_uniform_cell ON hourly_uniform (layer, region, month, product);
                    CREATE INDEX hourly_uniform_region_month ON hourly_uniform (region, month);
                    CREATE TABLE hour_index (i INTEGER PRIMARY KEY);
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < \(HourlySeries.maximumHours))
                    INSERT INTO hour_index (i) SELECT i FROM n;
                    """)
            try db.execute(sql: hourlyView(DerivedTenantCells.scopesV1))
        }
    }

    /// Hour by hour: the rows stored per hour, and each uniform series repeated over its hours.
    static func hourlyView(_ scopes: [String]) -> String {
        """
        CREATE VIEW ledger_hourly AS
        SELECT layer, part, region, month, site, product, tenant, mode, hour, \(scopes.joined(separator: ", "))
        FROM hourly_rows
        UNION ALL
        SELECT u.layer, u.part, u.region, u.month, u.site, u.product, u.tenant, u.mode, u.first_hour + i.i * 3600 AS hour,
            \(scopes.map { "u.\($0)" }.joined(separator: ", "))
        FROM hourly_uniform u JOIN hour_index i ON i.i < u.hours
        """
    }

    /// Removes the hours of a region-month's site, product-site and product series (both tables)
    /// that `partition` owns: all of them for a single calculator.
    static func deleteNonTenant(_ db: Database, region: String, month: String, partition: CalculatorPartition = .whole) throws {
        for table in ["hourly_rows", "hourly_uniform"] {
            guard partition.count > 1 else {
                try db.execute(sql: "DELETE FROM \(table) WHERE region = ? AND month = ? AND layer != 'tenant'", arguments: [region, month])
                continue
            }
            if partition.ownsSites(of: region) {
                try db.execute(sql: "DELETE FROM \(table) WHERE region = ? AND month = ? AND layer = 'site'", arguments: [region, month])
            }
            let products = try String.fetchAll(
                db, sql: "SELECT DISTINCT product FROM \(table) WHERE region = ? AND month = ? AND layer IN ('product', 'product_site')",
                arguments: [region, month])
            for product in products where partition.owns(product: product, in: region) {
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE region = ? AND month = ? AND layer IN ('product', 'product_site') AND product = ?",
                    arguments: [region, month, product])
            }
        }
    }

    /// Removes the hours of a region-month's tenant series: all, those of one product, or of
    /// one tenant's cell of a product.
    static func deleteTenant(_ db: Database, region: String, month: String, product: String? = nil, tenant: String? = nil) throws {
        for table in ["hourly_rows", "hourly_uniform"] {
            if let product, let tenant {
                try db.cachedStatement(
                    sql: "DELETE FROM \(table) WHERE layer = 'tenant' AND region = ? AND month = ? AND product = ? AND tenant = ?"
                ).execute(arguments: [region, month, product, tenant])
            } else if let product {
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE layer = 'tenant' AND region = ? AND month = ? AND product = ?", arguments: [region, month, product])
            } else {
                try db.execute(sql: "DELETE FROM \(table) WHERE layer = 'tenant' AND region = ? AND month = ?", arguments: [region, month])
            }
        }
    }

    /// Stores the series of a publication: one row for a uniform series, one per hour with
    /// anything in it for the others (a missing hour reads as zero).
    static func insert(_ db: Database, _ series: [HourlySeries], region: String, month: CalendarMonth) throws {
        let perHour = try db.cachedStatement(
            sql: """
                INSERT INTO hourly_rows (layer, part, region, month, site, product, tenant, mode, hour, scope1, scope2_location,
                    scope2_market, scope3, energy_kwh, scope2_market_hourly, cfe_kwh) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let uniform = try db.cachedStatement(
            sql: """
                INSERT INTO hourly_uniform (layer, part, region, month, site, product, tenant, mode, first_hour, hours, scope1,
                    scope2_location, scope2_market, scope3, energy_kwh, scope2_market_hourly, cfe_kwh)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let monthText = month.description
        for series in series {
            let mode = series.layer == "tenant" ? ResultMode.estimated.rawValue : ResultMode.measured.rawValue
            if series.count > 1, series.count <= HourlySeries.maximumHours, let f = series.uniformFigures {
                if f == .zero { continue }
                try uniform.execute(arguments: [
                    series.layer, series.part, region, monthText, series.site, series.product, series.tenant, mode, month.start, series.count,
                    f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.energyKWh, f.scope2MarketHourly, f.cfeKWh,
                ])
                continue
            }
            for i in 0..<series.count {
                let f = series.figures(at: i)
                if f == .zero { continue }
                try perHour.execute(arguments: [
                    series.layer, series.part, region, monthText, series.site, series.product, series.tenant, mode,
                    month.start + Int64(i) * 3600, f.scope1, f.scope2Location, f.scope2Market, f.scope3, f.energyKWh, f.scope2MarketHourly,
                    f.cfeKWh,
                ])
            }
        }
    }
}

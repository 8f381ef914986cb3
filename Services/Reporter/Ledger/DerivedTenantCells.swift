import GRDB

/// The ledger's tenant layer without copies of derived figures. A measured tenant cell is
/// `usage / D × E(p,r)`: the reporter stores its usage (and, for an estimated cell, its own
/// figures) in `tenant_cells`, and the `ledger` view derives its figures from the product row
/// of the same version — with the same floating-point operations the engine uses, so the
/// figures are bit for bit the engine's. A new version that changes a product's emissions
/// (a factor revision, new meter data) then rewrites a few product rows instead of every tenant.
///
/// Tables: `ledger_cells` (site, product-site and product rows), `tenant_cells` (current
/// tenant cells, each with the version that set it), `tenant_cells_superseded` (tenant cells
/// a later version changed or removed, with the versions they were in force for),
/// `superseded_cells` (site and product rows of superseded versions, and tenant rows from
/// before this schema), `tag_parts` (each tag part's usage and share of its cell). Views,
/// with the columns the tables of the same names had: `ledger`, `ledger_superseded`,
/// `tag_ledger`. Rows written before carry their figures explicitly and keep them.
enum DerivedTenantCells {
    // Raw SQL throughout: the views and figure expressions here are evaluated for every tenant cell any ledger read
    // touches, and their migrations move whole tables; both stay SQL.
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-derived-tenant-cells-v1") { db in
            try db.execute(
                sql: """
                    ALTER TABLE ledger RENAME TO ledger_cells;
                    DROP INDEX ledger_tenant;
                    ALTER TABLE ledger_cells ADD COLUMN denominator REAL;
                    ALTER TABLE ledger_cells ADD COLUMN quality_share_filled REAL;
                    ALTER TABLE ledger_cells ADD COLUMN quality_share_flagged REAL;
                    ALTER TABLE ledger_cells ADD COLUMN quality_share_estimated REAL;
                    CREATE INDEX ledger_cells_product ON ledger_cells (region, month, layer, product);
                    CREATE TABLE tenant_cells (\(tenantCellColumns), PRIMARY KEY (region, month, tenant, product, mode)) WITHOUT ROWID;
                    INSERT OR REPLACE INTO tenant_cells (region, month, tenant, product, mode, usage, since_version, scope1, scope2_location,
                        scope2_market, scope3, energy_kwh, share, quality_filled, quality_flagged, quality_estimated)
                    SELECT l.region, l.month, l.tenant, l.product, l.mode, COALESCE(l.usage, 0), COALESCE(v.version, 0), l.scope1,
                        l.scope2_location, l.scope2_market, l.scope3, l.energy_kwh, l.share, l.quality_filled, l.quality_flagged,
                        l.quality_estimated
                    FROM ledger_cells l LEFT JOIN versions v ON v.region = l.region AND v.month = l.month
                    WHERE l.layer = 'tenant' AND l.tenant IS NOT NULL AND l.product IS NOT NULL;
                    DELETE FROM ledger_cells WHERE layer = 'tenant';
                    CREATE INDEX tenant_cells_tenant ON tenant_cells (tenant, month);
                    CREATE TABLE tenant_cells_superseded (\(tenantCellColumns), until_version INTEGER NOT NULL);
                    CREATE INDEX tenant_cells_superseded_versions ON tenant_cells_superseded (region, month, since_version);
                    ALTER TABLE ledger_superseded RENAME TO superseded_cells;
                    ALTER TABLE superseded_cells ADD COLUMN denominator REAL;
                    ALTER TABLE superseded_cells ADD COLUMN quality_share_filled REAL;
                    ALTER TABLE superseded_cells ADD COLUMN quality_share_flagged REAL;
                    ALTER TABLE superseded_cells ADD COLUMN quality_share_estimated REAL;
                    CREATE INDEX superseded_cells_version ON superseded_cells (region, month, version, layer, product);
                    CREATE TABLE tag_parts (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        product TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        tag_key TEXT NOT NULL,
                        tag_value TEXT NOT NULL,
                        usage REAL NOT NULL,
                        share REAL,
                        scope1 REAL,
                        scope2_location REAL,
                        scope2_market REAL,
                        scope3 REAL,
                        energy_kwh REAL,
                        PRIMARY KEY (region, month, tenant, product, mode, tag_key, tag_value)
                    ) WITHOUT ROWID;
                    INSERT OR REPLACE INTO tag_parts (region, month, tenant, product, mode, tag_key, tag_value, usage, share, scope1,
                        scope2_location, scope2_market, scope3, energy_kwh)
                    SELECT region, month, tenant, product, mode, tag_key, tag_value, usage, NULL, scope1, scope2_location, scope2_market,
                        scope3, energy_kwh FROM tag_ledger;
                    DROP TABLE tag_ledger;
                    CREATE INDEX tag_parts_tenant ON tag_parts (tenant, tag_key, month);
                    """)
            try db.execute(sql: ledgerView(scopesV1, qualities: qualitiesV1))
            try db.execute(sql: supersededView(scopesV1, qualities: qualitiesV1))
            try db.execute(sql: tagView(scopesV1))
        }
    }

    /// The figure columns the views had when they were first made.
    static let scopesV1 = ["scope1", "scope2_location", "scope2_market", "scope3", "energy_kwh"]
    /// Every figure column a cell has today (``HourlyMatchingColumns`` added the last two).
    static let scopes = WaterColumns.scopes
    /// The figure columns of the hourly tables (water is monthly only).
    static let hourlyScopes = HourlyMatchingColumns.scopes
    /// The quality parts the views had when they were first made, and every one a cell has
    /// today (``ProfiledQualityColumns`` added the last).
    static let qualitiesV1 = ["filled", "flagged", "estimated"]
    static let qualities = qualitiesV1 + ["profiled"]

    /// Adds figure columns to every table that holds a cell's figures: with their unallocated
    /// parts (0 until published again) on site and product rows, current and superseded, and
    /// NULL (derived) on tenant cells and tag parts. The views must be dropped first and made
    /// again after.
    static func addFigureColumns(_ db: Database, _ columns: [String]) throws {
        for table in ["ledger_cells", "superseded_cells"] {
            for column in columns + columns.map({ "unallocated_\($0)" }) {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(column) REAL NOT NULL DEFAULT 0")
            }
        }
        for table in ["tenant_cells", "tenant_cells_superseded", "tag_parts"] {
            for column in columns { try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(column) REAL") }
        }
    }

    /// A tenant cell as stored, current or superseded: figures, share and quality parts only
    /// when the cell has its own (estimated, or from before this schema).
    static let tenantCellColumns = """
        region TEXT NOT NULL, month TEXT NOT NULL, tenant TEXT NOT NULL, product TEXT NOT NULL, mode TEXT NOT NULL,
        usage REAL NOT NULL, since_version INTEGER NOT NULL, scope1 REAL, scope2_location REAL, scope2_market REAL, scope3 REAL,
        energy_kwh REAL, share REAL, quality_filled REAL, quality_flagged REAL, quality_estimated REAL
        """

    /// The figures of tenant cell `t` with product row `p`: its own when it has them (estimated
    /// cells, and rows from before this schema), else `scope × (usage / D)`, as
    /// ``EmissionFigures/scaled(by:)`` computes `figures.scaled(by: usage / denominator)`.
    static func figure(_ scope: String, t: String = "t", p: String = "p") -> String {
        "COALESCE(\(t).\(scope), \(p).\(scope) * (\(t).usage / \(p).denominator))"
    }

    /// The filled, flagged and estimated parts of the cell's location-based total: its own when
    /// stored, else the product's quality share of the cell's total, as
    /// `LedgerStore.qualityParts` computes them for a measured cell.
    static func quality(_ part: String, t: String = "t", p: String = "p") -> String {
        let total = "(\(figure("scope1", t: t, p: p)) + \(figure("scope2_location", t: t, p: p)) + \(figure("scope3", t: t, p: p)))"
        return "COALESCE(\(t).quality_\(part), COALESCE(\(p).quality_share_\(part), 0) * \(total))"
    }

    static func tenantColumns(_ scopes: [String]) -> String {
        (scopes.map { "\(figure($0)) AS \($0)" } + scopes.map { "0 AS unallocated_\($0)" } + [
            "t.usage AS usage", "NULL AS pue", "COALESCE(t.share, t.usage / p.denominator) AS share",
        ]).joined(separator: ", ")
    }

    static func qualityColumns(_ qualities: [String]) -> String {
        qualities.map { "\(quality($0)) AS quality_\($0)" }.joined(separator: ", ")
    }

    static func cellColumns(_ scopes: [String], qualities: [String]) -> String {
        (["layer", "region", "month", "site", "product", "tenant", "mode"] + scopes + scopes.map { "unallocated_\($0)" } + [
            "usage", "pue", "share",
        ] + qualities.map { "quality_\($0)" }).joined(separator: ", ")
    }

    static func ledgerView(_ scopes: [String], qualities: [String]) -> String {
        """
        CREATE VIEW ledger AS
        SELECT \(cellColumns(scopes, qualities: qualities)) FROM ledger_cells
        UNION ALL
        SELECT 'tenant' AS layer, t.region, t.month, NULL AS site, t.product, t.tenant, t.mode, \(tenantColumns(scopes)), \(qualityColumns(qualities))
        FROM tenant_cells t LEFT JOIN ledger_cells p ON p.layer = 'product' AND p.region = t.region AND p.month = t.month AND p.product = t.product
        """
    }

    /// Superseded rows: those stored as such, and for each superseded version the tenant cells
    /// in force in it (set at or before it and not replaced by then), with the product rows of
    /// that version.
    static func supersededView(_ scopes: [String], qualities: [String]) -> String {
        let tenantArm = { (table: String, until: String) in
            """
            SELECT 'tenant' AS layer, t.region, t.month, NULL AS site, t.product, t.tenant, t.mode, \(tenantColumns(scopes)),
                vh.version AS version, COALESCE(vh.calculated_ms, 0) AS in_force_from_ms, vh.superseded_ms AS in_force_until_ms,
                \(qualityColumns(qualities))
            FROM version_history vh
            JOIN \(table) t ON t.region = vh.region AND t.month = vh.month AND t.since_version <= vh.version\(until)
            LEFT JOIN superseded_cells p ON p.layer = 'product' AND p.region = vh.region AND p.month = vh.month AND p.version = vh.version
                AND p.product = t.product
            WHERE vh.superseded_ms IS NOT NULL
            """
        }
        return """
            CREATE VIEW ledger_superseded AS
            SELECT \((["layer", "region", "month", "site", "product", "tenant", "mode"] + scopes + scopes.map { "unallocated_\($0)" }).joined(separator: ", ")),
                usage, pue, share, version, in_force_from_ms, in_force_until_ms, \(qualities.map { "quality_\($0)" }.joined(separator: ", "))
            FROM superseded_cells
            UNION ALL
            \(tenantArm("tenant_cells", ""))
            UNION ALL
            \(tenantArm("tenant_cells_superseded", " AND t.until_version > vh.version"))
            """
    }

    /// Tag parts: stored figures (from before this schema), else the part's share of its
    /// tenant cell's current figures.
    static func tagView(_ scopes: [String]) -> String {
        let figures = scopes.map { "COALESCE(g.\($0), \(figure($0)) * g.share) AS \($0)" }.joined(separator: ", ")
        return """
            CREATE VIEW tag_ledger AS
            SELECT g.region, g.month, g.tenant, g.product, g.tag_key, g.tag_value, g.mode, g.usage, \(figures)
            FROM tag_parts g
            LEFT JOIN tenant_cells t ON t.region = g.region AND t.month = g.month AND t.tenant = g.tenant AND t.product = g.product
                AND t.mode = g.mode
            LEFT JOIN ledger_cells p ON p.layer = 'product' AND p.region = g.region AND p.month = g.month AND p.product = g.product
            """
    }
}

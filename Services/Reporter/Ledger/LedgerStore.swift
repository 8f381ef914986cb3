import CarbonModel
import Contracts
import Foundation
import GRDB

/// The reporter's own store: the queryable ledger, one row per result cell at each layer, and
/// the version of each region-month it holds. A newer version of a region-month replaces all
/// of its rows; an older one arriving late is ignored.
enum LedgerStore {
    // Raw SQL throughout: applying a publication writes one row per cell on the delivery path measured by
    // scripts/bench (provider mix), with cached prepared statements to keep per-cell CPU down; the reads are joins and
    // aggregates over the ledger views.
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ledger (
                        layer TEXT NOT NULL CHECK (layer IN ('site', 'product_site', 'product', 'tenant')),
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        site TEXT,
                        product TEXT,
                        tenant TEXT,
                        mode TEXT NOT NULL,
                        scope1 REAL NOT NULL,
                        scope2_location REAL NOT NULL,
                        scope2_market REAL NOT NULL,
                        scope3 REAL NOT NULL,
                        energy_kwh REAL NOT NULL,
                        unallocated_scope1 REAL NOT NULL DEFAULT 0,
                        unallocated_scope2_location REAL NOT NULL DEFAULT 0,
                        unallocated_scope2_market REAL NOT NULL DEFAULT 0,
                        unallocated_scope3 REAL NOT NULL DEFAULT 0,
                        unallocated_energy_kwh REAL NOT NULL DEFAULT 0,
                        usage REAL,
                        pue REAL
                    );
                    CREATE INDEX ledger_layer_month ON ledger (layer, month);
                    CREATE INDEX ledger_region_month ON ledger (region, month);
                    CREATE INDEX ledger_tenant ON ledger (tenant, month) WHERE tenant IS NOT NULL;
                    CREATE TABLE versions (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        calculated_at TEXT NOT NULL,
                        PRIMARY KEY (region, month)
                    ) WITHOUT ROWID;
                    """)
        }
        // Results by hour and day: hourly series of the site, product-site, product and
        // estimated tenant cells; measured tenants are share × their product's hours.
        migrator.registerMigration("reporter-v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE ledger ADD COLUMN share REAL;
                    CREATE TABLE ledger_hourly (
                        layer TEXT NOT NULL,
                        part TEXT NOT NULL CHECK (part IN ('total', 'unallocated')),
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        site TEXT,
                        product TEXT,
                        tenant TEXT,
                        mode TEXT NOT NULL,
                        hour INTEGER NOT NULL,
                        scope1 REAL NOT NULL,
                        scope2_location REAL NOT NULL,
                        scope2_market REAL NOT NULL,
                        scope3 REAL NOT NULL,
                        energy_kwh REAL NOT NULL
                    );
                    CREATE INDEX ledger_hourly_cell ON ledger_hourly (layer, region, month, product);
                    """)
        }
        // Restatement: the rows of a region-month version that a newer one replaced are kept,
        // with the interval in which they were in force, and every version keeps the factors it
        // used, so a report can be asked "as of" an instant and a restatement explained.
        migrator.registerMigration("reporter-v3") { db in
            try db.execute(
                sql: """
                    ALTER TABLE versions ADD COLUMN calculated_ms INTEGER;
                    CREATE TABLE ledger_superseded (
                        layer TEXT NOT NULL,
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        site TEXT,
                        product TEXT,
                        tenant TEXT,
                        mode TEXT NOT NULL,
                        scope1 REAL NOT NULL,
                        scope2_location REAL NOT NULL,
                        scope2_market REAL NOT NULL,
                        scope3 REAL NOT NULL,
                        energy_kwh REAL NOT NULL,
                        unallocated_scope1 REAL NOT NULL,
                        unallocated_scope2_location REAL NOT NULL,
                        unallocated_scope2_market REAL NOT NULL,
                        unallocated_scope3 REAL NOT NULL,
                        unallocated_energy_kwh REAL NOT NULL,
                        usage REAL,
                        pue REAL,
                        share REAL,
                        version INTEGER NOT NULL,
                        in_force_from_ms INTEGER NOT NULL,
                        in_force_until_ms INTEGER NOT NULL
                    );
                    CREATE INDEX ledger_superseded_time ON ledger_superseded (in_force_from_ms, in_force_until_ms);
                    CREATE TABLE version_history (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        calculated_at TEXT NOT NULL,
                        calculated_ms INTEGER NOT NULL,
                        superseded_at TEXT,
                        superseded_ms INTEGER,
                        factors BLOB NOT NULL,
                        PRIMARY KEY (region, month, version)
                    ) WITHOUT ROWID;
                    """)
        }
        // Each new version of a region-month deletes its hourly rows: without an index on
        // (region, month) that delete scanned every hourly row of every region-month.
        migrator.registerMigration("reporter-hourly-region-month-v1") { db in
            try db.execute(sql: "CREATE INDEX ledger_hourly_region_month ON ledger_hourly (region, month)")
        }
    }

    /// Data quality: each cell keeps the parts of its location-based total (kg CO2e) that rest
    /// on filled, flagged and estimated data (the measured part is the rest), so that summed
    /// rows give exact shares of the sum. Rows from before this migration were calculated
    /// without gap filling or outlier flagging: estimated rows rest entirely on estimates, the
    /// others on measured data.
    static func qualityMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-quality-v1") { db in
            for table in ["ledger", "ledger_superseded"] {
                try db.execute(
                    sql: """
                        ALTER TABLE \(table) ADD COLUMN quality_filled REAL NOT NULL DEFAULT 0;
                        ALTER TABLE \(table) ADD COLUMN quality_flagged REAL NOT NULL DEFAULT 0;
                        ALTER TABLE \(table) ADD COLUMN quality_estimated REAL NOT NULL DEFAULT 0;
                        UPDATE \(table) SET quality_estimated = scope1 + scope2_location + scope3 WHERE mode = 'estimated';
                        """)
            }
        }
    }

    /// The kg CO2e parts (filled, flagged, estimated) of a cell with location-based total
    /// `total` and shares `quality`; without shares (a publication from before data quality)
    /// an estimate is all estimated and anything else all measured.
    static func qualityParts(_ quality: QualityShares?, total: Double, mode: ResultMode)
        -> (filled: Double, flagged: Double, estimated: Double, profiled: Double)
    {
        guard let quality else { return (0, 0, mode == .estimated ? total : 0, 0) }
        return (quality.filled * total, quality.flagged * total, quality.estimated * total, quality.profiled * total)
    }

    /// Applies `publication` if it is newer than the version its partition holds: the site,
    /// product-site and product rows it owns are replaced, and its tenant cells too (a whole
    /// publication) or only those it changes or removes (a change set, which must build on the
    /// version held). Rows and tenant cells replaced stay queryable as superseded, for the time
    /// they were in force. Returns false when the publication was older or the same.
    ///
    /// With several calculator partitions, each publication changes only its own cells; the
    /// region-month's ledger version then moves on by one at each, so a superseded version is
    /// the whole region-month as it stood, every partition's cells together.
    static func apply(_ db: Database, _ publication: RegionMonthPublication) throws -> Bool {
        let month = publication.month.description
        let region = publication.region
        let partition = publication.partition ?? .whole
        let part = partition.index
        let held = try PartitionVersions.held(db, region: region, month: month, part: part)
        if let held, held >= publication.version { return false }
        if let base = publication.baseVersion, base != held {
            throw LedgerGap(region: region, month: month, held: held, base: base, version: publication.version, partition: publication.partition)
        }
        // The pages before this one (a paged version), all of them, before anything changes.
        var stagedPages: [Int] = []
        if let pages = publication.pages, pages > 1 {
            guard pages <= StagedPages.maximumPages else {
                throw InvalidPage(region: region, month: month, version: publication.version, page: publication.page, pages: pages)
            }
            stagedPages = try StagedPages.numbers(db, region: region, month: month, part: part, version: publication.version, before: pages)
            // Staged numbers are unique, sorted and at least 1: as many as pages − 1 are all of them.
            guard stagedPages.count == pages - 1 else {
                let held = Set(stagedPages)
                let missing = (1..<pages).lazy.filter { !held.contains($0) }.prefix(10)
                throw MissingPages(region: region, month: month, version: publication.version, missing: Array(missing))
            }
        }
        let heldRow = try Row.fetchOne(db, sql: "SELECT version, calculated_ms FROM versions WHERE region = ? AND month = ?", arguments: [region, month])
        let heldLedger: Int? = heldRow?["version"]
        // Partitions are calculated by different processes, each on its own clock: the ledger's
        // versions stay in order of application, so none is in force for a negative interval.
        let calculatedMs = max(InstantParser.milliseconds(publication.calculatedAt) ?? 0, heldRow?["calculated_ms"] as Int64? ?? 0)
        // A single calculator's version is the ledger's; partitions each count their own.
        let version = max(partition.count > 1 ? 0 : publication.version, (heldLedger ?? 0) + 1)
        var factors = publication.allFactorsUsed
        if partition.count > 1 {
            factors = Array(Set(factors + (try PartitionVersions.otherFactors(db, region: region, month: month, part: part))))
                .sorted { ($0.factor, $0.version, $0.value) < ($1.factor, $1.version, $1.value) }
        }
        if heldLedger != nil {
            // The version held becomes superseded: its rows stay queryable for the time it was
            // in force (from its calculation to this one's). Versions from before reporter-v3
            // have no time: they count as in force since the beginning.
            try db.execute(
                sql: """
                    INSERT INTO superseded_cells (layer, region, month, site, product, tenant, mode, scope1, scope2_location,
                        scope2_market, scope3, energy_kwh, unallocated_scope1, unallocated_scope2_location, unallocated_scope2_market,
                        unallocated_scope3, unallocated_energy_kwh, usage, pue, share, version, in_force_from_ms, in_force_until_ms,
                        quality_filled, quality_flagged, quality_estimated, denominator, quality_share_filled, quality_share_flagged,
                        quality_share_estimated, scope2_market_hourly, cfe_kwh, unallocated_scope2_market_hourly, unallocated_cfe_kwh,
                        quality_profiled, quality_share_profiled, water_l, unallocated_water_l)
                    SELECT l.layer, l.region, l.month, l.site, l.product, l.tenant, l.mode, l.scope1, l.scope2_location,
                        l.scope2_market, l.scope3, l.energy_kwh, l.unallocated_scope1, l.unallocated_scope2_location,
                        l.unallocated_scope2_market, l.unallocated_scope3, l.unallocated_energy_kwh, l.usage, l.pue, l.share,
                        v.version, COALESCE(v.calculated_ms, 0), ?, l.quality_filled, l.quality_flagged, l.quality_estimated,
                        l.denominator, l.quality_share_filled, l.quality_share_flagged, l.quality_share_estimated,
                        l.scope2_market_hourly, l.cfe_kwh, l.unallocated_scope2_market_hourly, l.unallocated_cfe_kwh,
                        l.quality_profiled, l.quality_share_profiled, l.water_l, l.unallocated_water_l
                    FROM ledger_cells l JOIN versions v ON v.region = l.region AND v.month = l.month
                    WHERE l.region = ? AND l.month = ?
                    """,
                arguments: [calculatedMs, region, month])
            try db.execute(
                sql: "UPDATE version_history SET superseded_at = ?, superseded_ms = ? WHERE region = ? AND month = ? AND superseded_ms IS NULL",
                arguments: [publication.calculatedAt, calculatedMs, region, month])
        }
        try db.execute(
            sql: """
                INSERT INTO version_history (region, month, version, calculated_at, calculated_ms, factors) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (region, month, version) DO NOTHING
                """,
            arguments: [region, month, version, publication.calculatedAt, calculatedMs, try factorsEncoder.encode(factors)])
        try PartitionVersions.record(db, publication, factors: try factorsEncoder.encode(publication.allFactorsUsed))
        // A single calculator owns every row; a partition its own.
        if partition.count > 1 {
            try db.execute(sql: "DELETE FROM ledger_cells WHERE region = ? AND month = ? AND part = ?", arguments: [region, month, part])
        } else {
            try db.execute(sql: "DELETE FROM ledger_cells WHERE region = ? AND month = ?", arguments: [region, month])
        }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO ledger_cells (layer, region, month, site, product, tenant, mode, scope1, scope2_location, scope2_market,
                    scope3, energy_kwh, unallocated_scope1, unallocated_scope2_location, unallocated_scope2_market,
                    unallocated_scope3, unallocated_energy_kwh, usage, pue, share, quality_filled, quality_flagged, quality_estimated,
                    denominator, quality_share_filled, quality_share_flagged, quality_share_estimated, part, scope2_market_hourly, cfe_kwh,
                    unallocated_scope2_market_hourly, unallocated_cfe_kwh, quality_profiled, quality_share_profiled, water_l, unallocated_water_l)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        func row(
            _ layer: String, site: String?, product: String?, _ f: EmissionFigures, unallocated u: EmissionFigures = .zero,
            usage: Double? = nil, pue: Double? = nil, denominator: Double? = nil, quality: QualityShares?
        ) throws {
            let q = qualityParts(quality, total: f.totalLocation, mode: .measured)
            // A product row keeps its denominator and quality shares: its measured tenant cells
            // are derived from them (``DerivedTenantCells``).
            let shares: QualityShares? = layer == "product" ? quality : nil
            try insert.execute(arguments: [
                layer, region, month, site, product, nil, ResultMode.measured.rawValue, f.scope1, f.scope2Location, f.scope2Market, f.scope3,
                f.energyKWh, u.scope1, u.scope2Location, u.scope2Market, u.scope3, u.energyKWh, usage, pue, nil, q.filled, q.flagged,
                q.estimated, denominator, shares?.filled, shares?.flagged, shares?.estimated, part, f.scope2MarketHourly, f.cfeKWh,
                u.scope2MarketHourly, u.cfeKWh, q.profiled, shares?.profiled, f.waterL, u.waterL,
            ])
        }
        let result = publication.result
        try SiteMeasureStore.replace(db, result: result, part: part, partitioned: partition.count > 1)
        for site in result.sites {
            try row("site", site: site.site, product: nil, site.figures, unallocated: site.unallocated, pue: site.pue, quality: site.quality)
        }
        for cell in result.productSites {
            try row("product_site", site: cell.site, product: cell.product, cell.figures, quality: cell.quality)
        }
        for cell in result.productRegions {
            try row(
                "product", site: nil, product: cell.product, cell.figures, unallocated: cell.unallocated, usage: cell.usage,
                denominator: cell.denominator, quality: cell.quality ?? .zero)
        }
        if publication.baseVersion == nil {
            try TenantCellStore.removeAll(db, region: region, month: month, version: version, partition: partition)
        }
        for number in stagedPages {
            try TenantCellStore.apply(
                db, try StagedPages.load(db, region: region, month: month, part: part, version: publication.version, page: number),
                version: version)
        }
        try TenantCellStore.apply(db, publication, version: version)
        try StagedPages.discard(db, region: region, month: month, part: part, through: publication.version)

        // Hours: the site and product layers are replaced whole; estimated tenant cells only
        // when their cell is (``TenantCellStore`` removed the hours of every cell it replaced).
        try UniformHours.deleteNonTenant(db, region: region, month: month, partition: partition)
        try UniformHours.insert(db, result.hourly.filter { $0.layer != "tenant" }, region: region, month: publication.month)
        try db.execute(
            sql: """
                INSERT INTO versions (region, month, version, calculated_at, calculated_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (region, month) DO UPDATE SET version = excluded.version, calculated_at = excluded.calculated_at,
                    calculated_ms = excluded.calculated_ms
                """,
            arguments: [region, month, version, publication.calculatedAt, calculatedMs])
        return true
    }

    private static var factorsEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The versions of a region-month, oldest first, each with when it was in force and the
    /// factors it used.
    static func history(_ db: Database, region: String?, month: String?) throws -> [VersionRecord] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let region {
            conditions.append("region = ?")
            arguments.append(region)
        }
        if let month {
            conditions.append("month = ?")
            arguments.append(month)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Row.fetchAll(
            db,
            sql: """
                SELECT region, month, version, calculated_at, superseded_at, factors FROM version_history \(filter)
                ORDER BY region, month, version
                """,
            arguments: StatementArguments(arguments)
        ).map { row in
            // A version whose factors cannot be read is an error, not a version without factors.
            let factors: [FactorReference]
            do { factors = try JSONDecoder().decode([FactorReference].self, from: row["factors"] as Data) } catch {
                throw UnreadableVersionFactors(region: row["region"], month: row["month"], version: row["version"], reason: "\(error)")
            }
            return VersionRecord(
                region: row["region"], month: row["month"], version: row["version"], calculatedAt: row["calculated_at"],
                supersededAt: row["superseded_at"], factors: factors)
        }
    }
}

/// A change set that does not build on the version held: applying it would leave out the
/// changes of the versions in between. It is not acknowledged, so it comes again once they
/// have been applied.
struct LedgerGap: Error, CustomStringConvertible {
    var region: String
    var month: String
    var held: Int?
    var base: Int
    var version: Int
    var partition: CalculatorPartition? = nil

    var description: String {
        let of = partition.map { " (calculator partition \($0))" } ?? ""
        return "version \(version) of \(region)/\(month)\(of) changes version \(base), but the ledger holds \(held.map { "version \($0)" } ?? "none")"
    }
}

/// The factors stored with a version of a region-month cannot be decoded.
struct UnreadableVersionFactors: Error, CustomStringConvertible {
    var region: String
    var month: String
    var version: Int
    var reason: String

    var description: String { "the factors of version \(version) of \(region)/\(month) cannot be read: \(reason)" }
}

/// One version of a region-month's results as the reporter holds it: current while
/// `supersededAt` is nil, otherwise replaced by a restatement at that time.
struct VersionRecord: Codable, Sendable {
    var region: String
    var month: String
    var version: Int
    var calculatedAt: String
    var supersededAt: String?
    var factors: [FactorReference]

    enum CodingKeys: String, CodingKey {
        case region, month, version, factors
        case calculatedAt = "calculated_at"
        case supersededAt = "superseded_at"
    }
}

extension LedgerStore {
    /// Every tenant with cells in the ledger, sorted.
    static func tenantNames(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT tenant FROM ledger WHERE layer = 'tenant' AND tenant IS NOT NULL ORDER BY tenant")
    }

    /// Each site's PUE of the latest month from `from` to `to` that reports one, with that month.
    static func latestPUE(_ db: Database, from: CalendarMonth, to: CalendarMonth) throws -> [String: (Double, String)] {
        var pue: [String: (Double, String)] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT site, month, pue FROM ledger WHERE layer = 'site' AND pue IS NOT NULL AND month >= ? AND month <= ?
                ORDER BY site, month
                """, arguments: [from.description, to.description])
        {
            pue[row["site"]] = (row["pue"], row["month"])
        }
        return pue
    }
}

import CarbonModel
import Foundation
import GRDB

/// The calculator's own store: the registry, every record at its latest revision, the
/// allocation inputs as exact integer sums per series and bucket (hourly, or monthly for
/// usage without resource details), the region-months waiting to
/// be recalculated, and the latest results.
enum CalculatorStore {
    // Raw SQL for what runs per record or per recalculation on the ingest path measured by scripts/bench (provider mix):
    // markDirty (cached statements, a `generation + 1` upsert) and a region-month's factors, sites and products (indexed
    // reads of the declaration column only). The cold reads go through the record types at the end of this file.
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("calculator-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sites (site TEXT PRIMARY KEY, region TEXT NOT NULL, declaration BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE products (product TEXT PRIMARY KEY, declaration BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE factors (factor TEXT PRIMARY KEY, declaration BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE records (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        normalized BLOB NOT NULL,
                        PRIMARY KEY (source, id)
                    ) WITHOUT ROWID;
                    CREATE TABLE series (
                        id INTEGER PRIMARY KEY,
                        region TEXT NOT NULL,
                        site TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        product TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        substance TEXT NOT NULL,
                        UNIQUE (region, site, kind, product, tenant, substance)
                    );
                    CREATE TABLE amounts (
                        series_id INTEGER NOT NULL REFERENCES series(id),
                        bucket INTEGER NOT NULL,
                        amount INTEGER NOT NULL,
                        PRIMARY KEY (series_id, bucket)
                    ) WITHOUT ROWID;
                    CREATE TABLE region_months (region TEXT NOT NULL, month TEXT NOT NULL, PRIMARY KEY (region, month)) WITHOUT ROWID;
                    CREATE TABLE dirty (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        generation INTEGER NOT NULL,
                        first_marked_ms INTEGER NOT NULL,
                        last_marked_ms INTEGER NOT NULL,
                        PRIMARY KEY (region, month)
                    ) WITHOUT ROWID;
                    CREATE TABLE results (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        calculated_at TEXT NOT NULL,
                        result BLOB NOT NULL,
                        PRIMARY KEY (region, month)
                    ) WITHOUT ROWID;
                    """)
        }
        // Usage without resource details enters the allocation only as each tenant's monthly
        // total (``SeriesGrain``): from here on its series keep one sum per calendar month (in the
        // bucket starting the month), so a recalculation reads one row per tenant cell rather than
        // one per hour. The hourly sums of earlier stores are collapsed here, exactly.
        migrator.registerMigration("calculator-usage-month-sums-v1") { db in
            try collapseUsageToMonths(db)
        }
        // A record is `(owner, source, id)` (``RecordOwner``); records stored before are the
        // provider's ('' ). The preprocessor withdraws such a record explicitly when a tenant
        // takes it over, so no row here is ever matched across owners.
        migrator.registerMigration("calculator-record-owner-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE records_owned (
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        normalized BLOB NOT NULL,
                        PRIMARY KEY (source, id, owner)
                    ) WITHOUT ROWID;
                    INSERT INTO records_owned (source, id, owner, revision, normalized) SELECT source, id, '', revision, normalized FROM records;
                    DROP TABLE records;
                    ALTER TABLE records_owned RENAME TO records;
                    """)
        }
    }

    /// Replaces the hourly sums of every month-grain series by their totals per calendar month.
    static func collapseUsageToMonths(_ db: Database) throws {
        let series = try Row.fetchAll(db, sql: "SELECT id, substance FROM series WHERE kind = ?", arguments: [ActivityKind.usage.rawValue])
        for row in series where SeriesGrain(kind: .usage, substance: row["substance"]) == .month {
            let id: Int64 = row["id"]
            let buckets = try Row.fetchAll(db, sql: "SELECT bucket, amount FROM amounts WHERE series_id = ?", arguments: [id]).map {
                TimeBucket(start: $0["bucket"], amount: $0["amount"])
            }
            try db.execute(sql: "DELETE FROM amounts WHERE series_id = ?", arguments: [id])
            for total in SeriesGrain.monthTotals(of: buckets) {
                try db.execute(sql: "INSERT INTO amounts (series_id, bucket, amount) VALUES (?, ?, ?)", arguments: [id, total.start, total.amount])
            }
        }
    }

    static func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Marks a region-month for recalculation (and remembers that it has data).
    static func markDirty(_ db: Database, region: String, month: CalendarMonth, allTenants: Bool = false) throws {
        let now = nowMilliseconds()
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO region_months (region, month) VALUES (?, ?)")
            .execute(arguments: [region, month.description])
        try db.cachedStatement(
            sql: """
                INSERT INTO dirty (region, month, generation, first_marked_ms, last_marked_ms) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT (region, month) DO UPDATE SET generation = generation + 1, last_marked_ms = excluded.last_marked_ms
                """
        ).execute(arguments: [region, month.description, now, now])
        if allTenants {
            try db.cachedStatement(sql: "UPDATE dirty SET all_tenants = 1 WHERE region = ? AND month = ?")
                .execute(arguments: [region, month.description])
        }
    }

    static func dirtyCount(_ db: Database) throws -> Int {
        try Table("dirty").fetchCount(db)
    }

    /// Every declared factor (the factor library reads them all).
    static func factors(_ db: Database) throws -> [EmissionFactor] {
        try FactorRow.select(FactorRow.Columns.declaration, as: Data.self).fetchAll(db).map { try JSONDecoder().decode(EmissionFactor.self, from: $0) }
    }

    /// The declared factors in force at some time of `month`, of the grids in `grids` or of no
    /// region: what a region-month's calculation needs. An hourly factor series holds thousands
    /// of factors a year per zone; reading every zone's for every region-month would cost more
    /// than the calculation.
    static func factors(_ db: Database, in month: CalendarMonth, grids: Set<String>) throws -> [EmissionFactor] {
        let names = grids.sorted()
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        let regions = names.isEmpty ? "region IS NULL" : "(region IS NULL OR region IN (\(placeholders)))"
        return try Data.fetchAll(
            db, sql: "SELECT declaration FROM factors WHERE valid_from < ? AND valid_to > ? AND \(regions)",
            arguments: StatementArguments([month.end, month.start] as [any DatabaseValueConvertible] + names)
        ).map { try JSONDecoder().decode(EmissionFactor.self, from: $0) }
    }

    /// The grids a region-month's factors may be for: its sites' grids, and the grids estimation
    /// mode prices cloud usage of the region with (`<provider>/<region>`).
    static func grids(_ db: Database, region: String) throws -> Set<String> {
        var grids = Set(try sites(db, region: region).values.map(\.grid))
        for provider in CloudProvider.allCases { grids.insert(CCFCoefficients.gridRegion(provider: provider, region: region)) }
        return grids
    }

    static func products(_ db: Database) throws -> [String: ProductDeclaration] {
        let all = try Data.fetchAll(db, sql: "SELECT declaration FROM products").map {
            try JSONDecoder().decode(ProductDeclaration.self, from: $0)
        }
        return Dictionary(all.map { ($0.product, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The declaration of the site named `name`; nil when no such site is declared.
    static func site(_ db: Database, named name: String) throws -> SiteDeclaration? {
        try SiteRow.fetchOne(db, key: name).map { try JSONDecoder().decode(SiteDeclaration.self, from: $0.declaration) }
    }

    /// Every stored record, normalized (lineage reads them all; no per-site index yet). Decoded
    /// by the fast reader the delivery loop uses.
    static func allRecords(_ db: Database) throws -> [NormalizedRecord] {
        try StoredRecordRow.filter(length(StoredRecordRow.Columns.normalized) > 0).select(StoredRecordRow.Columns.normalized, as: Data.self)
            .fetchAll(db).map { try NormalizedRecord.decode($0) }
    }

    static func sites(_ db: Database, region: String) throws -> [String: SiteDeclaration] {
        let all = try Data.fetchAll(db, sql: "SELECT declaration FROM sites WHERE region = ?", arguments: [region]).map {
            try JSONDecoder().decode(SiteDeclaration.self, from: $0)
        }
        return Dictionary(all.map { ($0.site, $0) }, uniquingKeysWith: { _, last in last })
    }
}

extension CalculatorStore {
    /// Each factor's validity in columns of its own, indexed, so a region-month reads only the
    /// factors in force in its month (``factors(_:in:)``).
    static func factorValidity(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("calculator-factor-validity-v1") { db in
            try db.execute(sql: "ALTER TABLE factors ADD COLUMN valid_from INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE factors ADD COLUMN valid_to INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE factors ADD COLUMN region TEXT")
            for row in try Row.fetchAll(db, sql: "SELECT factor, declaration FROM factors") {
                let name: String = row["factor"]
                let factor: EmissionFactor
                do { factor = try JSONDecoder().decode(EmissionFactor.self, from: row["declaration"] as Data) } catch {
                    throw StoredDeclarationError(table: "factors", key: name, reason: "\(error)")
                }
                try db.execute(
                    sql: "UPDATE factors SET valid_from = ?, valid_to = ?, region = ? WHERE factor = ?",
                    arguments: [factor.validFrom, factor.validTo, factor.region, name])
            }
            try db.execute(sql: "CREATE INDEX factors_validity ON factors (region, valid_to, valid_from)")
        }
    }

    /// Every region-month recalculated once, all tenants, after an upgrade whose results carry
    /// figures the stored ones lack (the hourly method of market-based scope 2 and the
    /// carbon-free energy): the new versions bring them to the reporter.
    static func recalculationAfterUpgrade(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("calculator-recalculate-hourly-matching-v1") { db in
            for row in try Row.fetchAll(db, sql: "SELECT region, month FROM region_months") {
                // Months are stored as written by markDirty; one that does not parse has nothing to recalculate.
                guard let month = CalendarMonth(row["month"] as String) else { continue }
                try markDirty(db, region: row["region"], month: month, allTenants: true)
            }
        }
    }
}

/// A declared site with its region and declaration (JSON): a row of `sites`.
struct SiteRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sites"
    var site: String
    var region: String
    var declaration: Data
}

/// A declared factor (JSON) with its validity and grid in columns of their own, so that a
/// region-month reads only the factors in force in it: a row of `factors`.
struct FactorRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "factors"
    var factor: String
    var declaration: Data
    var validFrom: Int64
    var validTo: Int64
    /// Nil for a factor of no region (global).
    var region: String?

    enum CodingKeys: String, CodingKey {
        case factor, declaration, region
        case validFrom = "valid_from"
        case validTo = "valid_to"
    }
    enum Columns {
        static let declaration = Column(CodingKeys.declaration)
    }
}

/// A record at its latest revision, as the preprocessor normalized it (empty once retracted):
/// a row of `records`. A record is `(owner, source, id)`.
struct StoredRecordRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "records"
    var source: String
    var id: String
    /// The tenant whose credentials wrote the record; '' for the provider.
    var owner: String
    var revision: Int
    var normalized: Data

    enum Columns {
        static let owner = Column(CodingKeys.owner)
        static let normalized = Column(CodingKeys.normalized)
    }
}

/// The latest result of a region-month: a row of `results`. `result` holds the whole result
/// only in stores from before change sets (empty since); `cellsTracked` says whether what was
/// published of its tenant cells is known (``PublishedTenantCells``).
struct ResultRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "results"
    var region: String
    var month: String
    var version: Int
    var calculatedAt: String
    var result: Data
    var cellsTracked: Bool

    enum CodingKeys: String, CodingKey {
        case region, month, version, result
        case calculatedAt = "calculated_at"
        case cellsTracked = "cells_tracked"
    }
    enum Columns {
        static let result = Column(CodingKeys.result)
    }
}

import CarbonModel
import RecordParsing
import Contracts
import Foundation
import GRDB

/// Applies normalized records and declarations to the calculator's store, inside the caller's
/// transaction. Records are kept at their latest revision; the allocation inputs are integer
/// sums (micro-units) per series and bucket — hourly, or monthly for usage without resource
/// details (``SeriesGrain``) — so adding and removing revisions is exact and the sums do not
/// depend on the order records arrive in.
struct RecordLedger {
    // Raw SQL throughout: this runs once per record and per bucket of it on the ingest path measured by scripts/bench
    // (provider mix); cached prepared statements and `amount = amount + excluded.amount` upserts keep per-record CPU
    // down.
    private var seriesIDs: [SeriesIdentity: Int64] = [:]

    /// Forgets cached series ids (after a rolled-back transaction).
    mutating func reset() { seriesIDs.removeAll() }

    mutating func apply(_ db: Database, records: [NormalizedRecord]) throws -> (applied: Int, stale: Int) {
        var applied = 0, stale = 0
        var touched = Touched()
        let insertNew = try db.cachedStatement(
            sql: "INSERT INTO records (source, id, owner, revision, normalized) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, id, owner) DO NOTHING")
        let lookup = try db.cachedStatement(sql: "SELECT revision, normalized FROM records WHERE source = ? AND id = ? AND owner = ?")
        let replace = try db.cachedStatement(sql: "UPDATE records SET revision = ?, normalized = ? WHERE source = ? AND id = ? AND owner = ?")
        for record in records {
            let wire = record.wireEncoding()
            let owner = RecordOwner.key(record.owner)
            // Most records are new: insert first, and read the stored version only when the
            // identity is taken — one B-tree descent instead of two in the common case.
            try insertNew.execute(arguments: [record.source, record.id, owner, record.revision, wire])
            if db.changesCount == 1 {
                try add(db, record, sign: 1, touched: &touched)
                applied += 1
                continue
            }
            guard let existing = try Row.fetchOne(lookup, arguments: [record.source, record.id, owner]) else {
                throw DatabaseError(message: "records: (\(owner), \(record.source), \(record.id)) neither inserted nor found")
            }
            let revision: Int = existing["revision"]
            // A re-delivery or an older revision arriving late changes nothing.
            guard record.revision > revision else {
                stale += 1
                continue
            }
            let stored: Data = existing["normalized"]
            if !stored.isEmpty { try add(db, try NormalizedRecord.decode(stored), sign: -1, touched: &touched) }
            try add(db, record, sign: 1, touched: &touched)
            try replace.execute(arguments: [record.revision, wire, record.source, record.id, owner])
            applied += 1
        }
        try touched.mark(db)
        return (applied, stale)
    }

    /// Withdraws records whose newer revision now belongs to another replica's region. The row
    /// stays, empty, at the retracting revision, so an older version arriving late is still stale.
    mutating func retract(_ db: Database, _ retractions: [RecordRetraction]) throws -> Int {
        var withdrawn = 0
        var touched = Touched()
        for retraction in retractions {
            let owner = RecordOwner.key(retraction.owner)
            let existing = try Row.fetchOne(
                db, sql: "SELECT revision, normalized FROM records WHERE source = ? AND id = ? AND owner = ?",
                arguments: [retraction.source, retraction.id, owner])
            if let existing {
                let revision: Int = existing["revision"]
                guard retraction.revision > revision else { continue }
                let stored: Data = existing["normalized"]
                if !stored.isEmpty {
                    try add(db, try NormalizedRecord.decode(stored), sign: -1, touched: &touched)
                    withdrawn += 1
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO records (source, id, owner, revision, normalized) VALUES (?, ?, ?, ?, X'')
                    ON CONFLICT (source, id, owner) DO UPDATE SET revision = excluded.revision, normalized = excluded.normalized
                    """,
                arguments: [retraction.source, retraction.id, owner, retraction.revision])
        }
        try touched.mark(db)
        return withdrawn
    }

    private mutating func add(_ db: Database, _ record: NormalizedRecord, sign: Int64, touched: inout Touched) throws {
        // Usage without resource details is kept as one sum per month (``SeriesGrain``): the
        // allocation reads only its monthly total, so a recalculation reads one row per tenant
        // cell instead of one per hour.
        let contribution = SeriesContribution(record)
        let series = try seriesID(db, contribution.series)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO amounts (series_id, bucket, amount) VALUES (?, ?, ?)
                ON CONFLICT (series_id, bucket) DO UPDATE SET amount = amount + excluded.amount
                """)
        for part in contribution.parts {
            try statement.execute(arguments: [series, part.start, sign * part.amount])
        }
        for month in contribution.monthly.keys {
            let key = RegionMonthKey(region: record.region, month: month)
            touched.regionMonths.insert(key)
            if record.kind == .usage { touched.tenantCells.insert(ChangedTenantCell(key: key, tenant: record.tenant ?? "", product: record.product ?? "")) }
        }
        try TagUsageLedger.add(db, record, monthly: contribution.monthly, sign: sign)
    }

    private mutating func seriesID(_ db: Database, _ key: SeriesIdentity) throws -> Int64 {
        if let id = seriesIDs[key] { return id }
        let arguments: StatementArguments = [key.region, key.site, key.kind, key.product, key.tenant, key.substance]
        try db.execute(
            sql: "INSERT OR IGNORE INTO series (region, site, kind, product, tenant, substance) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: arguments)
        let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM series WHERE region = ? AND site = ? AND kind = ? AND product = ? AND tenant = ? AND substance = ?",
            arguments: arguments) ?? 0
        seriesIDs[key] = id
        return id
    }

    /// Stores declarations and marks what they can change for recalculation: a site's region
    /// months (old and new region), every month for a product, and for a factor exactly the
    /// region-months it can change (``FactorImpact``: its grid or provider region, or all for a
    /// global one, in the months its validity overlaps — before and after a revision).
    func apply(_ db: Database, update: RegistryUpdate) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var regions = Set<String>()
        for site in update.sites {
            if let old = try String.fetchOne(db, sql: "SELECT region FROM sites WHERE site = ?", arguments: [site.site]) { regions.insert(old) }
            regions.insert(site.region)
            try db.execute(
                sql: "INSERT INTO sites (site, region, declaration) VALUES (?, ?, ?) ON CONFLICT (site) DO UPDATE SET region = excluded.region, declaration = excluded.declaration",
                arguments: [site.site, site.region, try encoder.encode(site)])
        }
        for product in update.products {
            try db.execute(
                sql: "INSERT INTO products (product, declaration) VALUES (?, ?) ON CONFLICT (product) DO UPDATE SET declaration = excluded.declaration",
                arguments: [product.product, try encoder.encode(product)])
        }
        // A revision can move a factor (other region or validity): the version it replaces
        // counts as much as the new one for what must be restated.
        var impacting: [EmissionFactor] = []
        for factor in update.factors {
            // A stored version that does not decode is an error naming it: skipped, the months
            // it covered would not be restated and would keep figures made with it.
            if let stored = try Data.fetchOne(db, sql: "SELECT declaration FROM factors WHERE factor = ?", arguments: [factor.factor]) {
                do { impacting.append(try JSONDecoder().decode(EmissionFactor.self, from: stored)) } catch {
                    throw StoredDeclarationError(table: "factors", key: factor.factor, reason: "\(error)")
                }
            }
            impacting.append(factor)
            try db.execute(
                sql: """
                    INSERT INTO factors (factor, declaration, valid_from, valid_to, region) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (factor) DO UPDATE SET declaration = excluded.declaration, valid_from = excluded.valid_from,
                        valid_to = excluded.valid_to, region = excluded.region
                    """,
                arguments: [factor.factor, try encoder.encode(factor), factor.validFrom, factor.validTo, factor.region])
        }
        let known = try Row.fetchAll(db, sql: "SELECT region, month FROM region_months").compactMap { row -> RegionMonthKey? in
            guard let month = CalendarMonth(row["month"] as String) else { return nil }
            return RegionMonthKey(region: row["region"], month: month)
        }
        var gridsByRegion: [String: Set<String>] = [:]
        if !impacting.isEmpty {
            for row in try Row.fetchAll(db, sql: "SELECT region, declaration FROM sites") {
                let site = try JSONDecoder().decode(SiteDeclaration.self, from: row["declaration"] as Data)
                gridsByRegion[row["region"], default: []].insert(site.grid)
            }
        }
        for key in known {
            let affected =
                regions.contains(key.region) || !update.products.isEmpty
                || FactorImpact.touches(impacting, region: key.region, month: key.month, grids: gridsByRegion[key.region] ?? [])
            // A site or product declared anew can move usage between cells: every tenant cell
            // is recalculated. A factor changes no measured cell's usage.
            if affected {
                try CalculatorStore.markDirty(
                    db, region: key.region, month: key.month, allTenants: regions.contains(key.region) || !update.products.isEmpty)
            }
        }
    }
}

/// What a batch of records changed, marked once per batch rather than once per record: the
/// region-months to recalculate and the tenant cells their rounds must read.
struct Touched {
    var regionMonths = Set<RegionMonthKey>()
    var tenantCells = Set<ChangedTenantCell>()

    func mark(_ db: Database) throws {
        for key in regionMonths { try CalculatorStore.markDirty(db, region: key.region, month: key.month) }
        for cell in tenantCells { try PublishedTenantCells.markChanged(db, cell) }
    }
}

/// A tenant cell of a region-month whose usage records changed.
struct ChangedTenantCell: Hashable {
    var key: RegionMonthKey
    var tenant: String
    var product: String
}

/// A region and month: the unit of recalculation.
struct RegionMonthKey: Hashable, Sendable {
    var region: String
    var month: CalendarMonth
}

/// A declaration in the calculator's store that does not decode, named by table and key.
struct StoredDeclarationError: Error, CustomStringConvertible {
    var table: String
    var key: String
    var reason: String

    var description: String { "\(table): the stored declaration of \(key) does not decode: \(reason)" }
}

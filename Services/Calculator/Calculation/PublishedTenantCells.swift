import CarbonModel
import Contracts
import Foundation
import GRDB

/// What the reporter holds of each tenant cell, as last published, so that a recalculation
/// publishes only the tenant cells that changed (a change set) instead of every tenant of the
/// region-month. A cell's state is what the reporter cannot derive by itself: for a measured
/// cell its usage and tag parts (its figures are `usage / D × E(p,r)`, which the reporter
/// derives from the product row every publication carries), for an estimated cell its own
/// figures, quality, factors and hours as well. A new factor or new facility data therefore
/// changes no tenant state, and its publication carries no tenant cell at all.
enum PublishedTenantCells {
    // Raw SQL throughout: this runs once per tenant cell on every recalculation of the ingest path measured by
    // scripts/bench (provider mix); cached prepared statements keep per-cell CPU down.
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("calculator-published-tenant-cells-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE published_tenant_cells (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        product TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        state BLOB NOT NULL,
                        PRIMARY KEY (region, month, tenant, product, mode)
                    ) WITHOUT ROWID;
                    ALTER TABLE results ADD COLUMN cells_tracked INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        // The tenant cells records touched since their region-month was last calculated, so
        // that a recalculation reads those (and U per product) rather than every tenant.
        migrator.registerMigration("calculator-changed-tenant-cells-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE changed_tenant_cells (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        product TEXT NOT NULL,
                        PRIMARY KEY (region, month, tenant, product)
                    ) WITHOUT ROWID;
                    CREATE INDEX series_usage_cell ON series (region, kind, product, tenant, substance);
                    CREATE INDEX series_usage_profile ON series (region, kind, substance);
                    ALTER TABLE dirty ADD COLUMN all_tenants INTEGER NOT NULL DEFAULT 0;
                    """)
        }
    }

    /// Notes that records changed the usage of a tenant cell.
    static func markChanged(_ db: Database, _ cell: ChangedTenantCell) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO changed_tenant_cells (region, month, tenant, product) VALUES (?, ?, ?, ?)")
            .execute(arguments: [cell.key.region, cell.key.month.description, cell.tenant, cell.product])
    }

    /// The tenant cells of a region-month that records changed since its last calculation.
    static func changed(_ db: Database, key: RegionMonthKey) throws -> Set<TenantCellKey> {
        Set(
            try Row.fetchAll(
                db, sql: "SELECT tenant, product FROM changed_tenant_cells WHERE region = ? AND month = ?",
                arguments: [key.region, key.month.description]
            ).map { TenantCellKey(tenant: $0["tenant"], product: $0["product"]) })
    }

    /// How many tenant cells of the region-month were published.
    static func count(_ db: Database, key: RegionMonthKey) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM published_tenant_cells WHERE region = ? AND month = ?",
            arguments: [key.region, key.month.description]) ?? 0
    }

    static func clearChanged(_ db: Database, key: RegionMonthKey) throws {
        try db.execute(
            sql: "DELETE FROM changed_tenant_cells WHERE region = ? AND month = ?", arguments: [key.region, key.month.description])
    }

    /// The tenant cells of a new result that differ from the published ones, and the
    /// published ones that are gone; records the new states (inside the caller's transaction).
    struct Changes {
        var changed: Set<TenantCellRef>
        var removed: [TenantCellRef]
    }

    /// `scope`: the only tenant cells (either mode) the new result was computed for, when it
    /// was computed for some only; nil compares every cell held.
    static func update(
        _ db: Database, key: RegionMonthKey, tenants: [TenantResult], tagParts: [TagPart], hourly: [HourlySeries],
        scope: Set<TenantCellKey>? = nil
    ) throws -> Changes {
        let month = key.month.description
        var held: [TenantCellRef: Data] = [:]
        if let scope {
            let lookup = try db.cachedStatement(
                sql: "SELECT mode, state FROM published_tenant_cells WHERE region = ? AND month = ? AND tenant = ? AND product = ?")
            for cell in scope {
                for row in try Row.fetchAll(lookup, arguments: [key.region, month, cell.tenant, cell.product]) {
                    guard let mode = ResultMode(rawValue: row[0]) else { continue }
                    held[TenantCellRef(tenant: cell.tenant, product: cell.product, mode: mode)] = row[1]
                }
            }
        } else {
            let rows = try Row.fetchCursor(
                db, sql: "SELECT tenant, product, mode, state FROM published_tenant_cells WHERE region = ? AND month = ?",
                arguments: [key.region, month])
            while let row = try rows.next() {
                guard let mode = ResultMode(rawValue: row[2]) else { continue }
                held[TenantCellRef(tenant: row[0], product: row[1], mode: mode)] = row[3]
            }
        }
        var partsByCell: [TenantCellRef: [TagPart]] = [:]
        for part in tagParts {
            partsByCell[TenantCellRef(tenant: part.tenant, product: part.product, mode: part.mode), default: []].append(part)
        }
        var hoursByCell: [TenantCellRef: HourlySeries] = [:]
        for series in hourly where series.layer == "tenant" {
            guard let tenant = series.tenant, let product = series.product else { continue }
            hoursByCell[TenantCellRef(tenant: tenant, product: product, mode: .estimated)] = series
        }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO published_tenant_cells (region, month, tenant, product, mode, state) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (region, month, tenant, product, mode) DO UPDATE SET state = excluded.state
                """)
        var changes = Changes(changed: [], removed: [])
        for cell in tenants {
            let ref = TenantCellRef(cell)
            let state = TenantCellState.encode(cell, tagParts: partsByCell[ref] ?? [], hours: hoursByCell[ref])
            if let previous = held.removeValue(forKey: ref), previous == state { continue }
            changes.changed.insert(ref)
            try upsert.execute(arguments: [key.region, month, ref.tenant, ref.product, ref.mode.rawValue, state])
        }
        let delete = try db.cachedStatement(
            sql: "DELETE FROM published_tenant_cells WHERE region = ? AND month = ? AND tenant = ? AND product = ? AND mode = ?")
        for ref in held.keys.sorted() {
            changes.removed.append(ref)
            try delete.execute(arguments: [key.region, month, ref.tenant, ref.product, ref.mode.rawValue])
        }
        return changes
    }
}

/// The compact, deterministic bytes of a tenant cell's published state (see
/// ``PublishedTenantCells``): equal bytes, nothing for the reporter to change.
enum TenantCellState {
    static func encode(_ cell: TenantResult, tagParts: [TagPart], hours: HourlySeries?) -> Data {
        var out = Data()
        out.reserveCapacity(32 + tagParts.count * 40)
        func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ value: String) {
            let bytes = Array(value.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
        }
        double(cell.usage)
        if cell.mode == .estimated {
            for value in [cell.figures.scope1, cell.figures.scope2Location, cell.figures.scope2Market, cell.figures.scope3, cell.figures.energyKWh] {
                double(value)
            }
            double(cell.share)
            if let q = cell.quality {
                for value in [q.measured, q.filled, q.flagged, q.estimated] { double(value) }
            }
            for reference in cell.factorsUsed {
                string(reference.factor)
                string(reference.version)
                double(reference.value)
            }
            if let hours {
                // The hours only as a digest: 744 × 5 figures per cell would make the state as
                // large as the publication it is there to avoid.
                var digest = StableDigest()
                for column in [hours.scope1, hours.scope2Location, hours.scope2Market, hours.scope3, hours.energyKWh] {
                    for value in column { digest.add(value.bitPattern) }
                }
                withUnsafeBytes(of: digest.value.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        for part in tagParts {
            string(part.key)
            string(part.value)
            double(part.usage)
            double(part.share ?? 1)
        }
        return out
    }
}

/// FNV-1a over 64-bit words: the same on every run and machine (Swift's `Hasher` is seeded
/// per process, so it cannot be stored).
struct StableDigest {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ word: UInt64) {
        var word = word
        for _ in 0..<8 {
            value ^= word & 0xff
            value = value &* 0x0000_0100_0000_01b3
            word >>= 8
        }
    }
}

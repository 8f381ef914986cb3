import CarbonModel
import Foundation
import GRDB

/// The usage behind tag breakdowns: per tenant cell (region, month, product, tenant) and tag
/// (key, value), the exact integer micro-unit sum of the usage records that carried the tag.
/// Kept beside `amounts` by ``RecordLedger`` with the same add and subtract on revisions and
/// retractions, so a revision that changes a record's tag moves its usage from one value to
/// the other.
enum TagUsageLedger {
    // Raw SQL throughout: this runs once per tagged usage record and per tenant cell of a recalculation on the ingest
    // path measured by scripts/bench (provider mix); cached prepared statements and `amount = amount +
    // excluded.amount` keep per-record CPU down.
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("calculator-tags-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tag_usage (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        product TEXT NOT NULL,
                        tenant TEXT NOT NULL,
                        tag_key TEXT NOT NULL,
                        tag_value TEXT NOT NULL,
                        amount INTEGER NOT NULL,
                        PRIMARY KEY (region, month, product, tenant, tag_key, tag_value)
                    ) WITHOUT ROWID;
                    """)
            // Records stored before this table still carry their tags: count them now, so that
            // a later revision of one subtracts what was added.
            let decoder = JSONDecoder()
            let rows = try Data.fetchCursor(db, sql: "SELECT normalized FROM records WHERE length(normalized) > 0")
            while let stored = try rows.next() {
                let record = try decoder.decode(NormalizedRecord.self, from: stored)
                guard record.kind == .usage, record.tags?.isEmpty == false else { continue }
                try add(db, record, monthly: monthlyAmounts(record), sign: 1)
            }
        }
    }

    /// A record's amount per calendar month, split as ``RecordLedger`` splits it into buckets.
    static func monthlyAmounts(_ record: NormalizedRecord) -> [CalendarMonth: Int64] {
        var monthly: [CalendarMonth: Int64] = [:]
        for bucket in TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity) {
            monthly[CalendarMonth(containing: bucket.start), default: 0] += bucket.amount
        }
        return monthly
    }

    /// Adds (`sign` 1) or removes (−1) a usage record's monthly amounts under each of its tags.
    static func add(_ db: Database, _ record: NormalizedRecord, monthly: [CalendarMonth: Int64], sign: Int64) throws {
        guard record.kind == .usage, let tags = record.tags, !tags.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO tag_usage (region, month, product, tenant, tag_key, tag_value, amount) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (region, month, product, tenant, tag_key, tag_value) DO UPDATE SET amount = amount + excluded.amount
                """)
        for (month, amount) in monthly {
            for (key, value) in tags {
                try statement.execute(arguments: [
                    record.region, month.description, record.product ?? "", record.tenant ?? "", key, value, sign * amount,
                ])
            }
        }
    }

    /// The tag parts of a region-month's tenant cells (``TagBreakdown``), from the tagged usage
    /// and each cell's total usage in `amounts`.
    static func parts(_ db: Database, key: RegionMonthKey, tenants: [TenantResult], only scope: Set<TenantCellKey>? = nil) throws -> [TagPart] {
        if let scope { return try parts(db, key: key, tenants: tenants, cells: scope) }
        var tags: [TenantCellKey: [String: [String: Int64]]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: "SELECT product, tenant, tag_key, tag_value, amount FROM tag_usage WHERE region = ? AND month = ? AND amount != 0",
            arguments: [key.region, key.month.description])
        {
            tags[TenantCellKey(tenant: row["tenant"], product: row["product"]), default: [:]][row["tag_key"], default: [:]][row["tag_value"]] =
                row["amount"]
        }
        guard !tags.isEmpty else { return [] }
        var usage: [TenantCellKey: Int64] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT s.product, s.tenant, SUM(a.amount) AS amount FROM series s JOIN amounts a ON a.series_id = s.id
                WHERE s.region = ? AND s.kind = ? AND a.bucket >= ? AND a.bucket < ? GROUP BY s.product, s.tenant
                """,
            arguments: [key.region, ActivityKind.usage.rawValue, key.month.start, key.month.end])
        {
            usage[TenantCellKey(tenant: row["tenant"], product: row["product"])] = row["amount"]
        }
        return TagBreakdown.parts(tenants: tenants, usage: usage, tags: tags)
    }

    /// The tag parts of some tenant cells only, read cell by cell.
    private static func parts(_ db: Database, key: RegionMonthKey, tenants: [TenantResult], cells: Set<TenantCellKey>) throws -> [TagPart] {
        let month = key.month.description
        let tagged = try db.cachedStatement(
            sql: "SELECT tag_key, tag_value, amount FROM tag_usage WHERE region = ? AND month = ? AND product = ? AND tenant = ? AND amount != 0")
        let total = try db.cachedStatement(
            sql: """
                SELECT SUM(a.amount) FROM series s JOIN amounts a ON a.series_id = s.id
                WHERE s.region = ? AND s.kind = 'usage' AND s.product = ? AND s.tenant = ? AND a.bucket >= ? AND a.bucket < ?
                """)
        var tags: [TenantCellKey: [String: [String: Int64]]] = [:]
        var usage: [TenantCellKey: Int64] = [:]
        for cell in cells {
            for row in try Row.fetchAll(tagged, arguments: [key.region, month, cell.product, cell.tenant]) {
                tags[cell, default: [:]][row[0], default: [:]][row[1]] = row[2]
            }
            guard tags[cell] != nil else { continue }
            usage[cell] = try Int64.fetchOne(total, arguments: [key.region, cell.product, cell.tenant, key.month.start, key.month.end]) ?? 0
        }
        guard !tags.isEmpty else { return [] }
        return TagBreakdown.parts(tenants: tenants, usage: usage, tags: tags)
    }
}

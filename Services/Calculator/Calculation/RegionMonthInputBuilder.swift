import CarbonModel
import Foundation
import GRDB

/// Reads the allocation inputs of one region and month from the calculator's store into a
/// `RegionMonthAccumulator`, which shapes them into the engine's plain values.
enum RegionMonthInputBuilder {
    // Raw SQL throughout: these joins and sums read every series of a region-month on each recalculation measured by
    // scripts/bench (provider mix); cursors, a forced index and cached statements keep CPU and memory down.
    /// Every input of the region-month, or — with `tenantCells` — everything but the plain
    /// usage of other tenant cells: the facility data, all usage with resource details, U per
    /// product (summed by SQLite over every tenant), and the plain usage of the cells named.
    static func build(
        _ db: Database, key: RegionMonthKey, factors: FactorResolver, products: [String: ProductDeclaration],
        quality: DataQualitySettings = .default, marketBoundary: MarketBoundary = .hourlyOnly, tenantCells: Set<TenantCellKey>? = nil
    ) throws -> RegionMonthInput
    {
        var accumulator = RegionMonthAccumulator()
        // Plain usage has no series field; usage with resource details has its estimation
        // profile there (``SeriesContribution``).
        let filter = tenantCells == nil ? "" : " AND (s.kind <> 'usage' OR s.substance <> '')"
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.site, s.kind, s.product, s.tenant, s.substance, a.bucket, a.amount
                FROM series s JOIN amounts a ON a.series_id = s.id
                WHERE s.region = ? AND a.bucket >= ? AND a.bucket < ? AND a.amount != 0\(filter)
                """,
            arguments: [key.region, key.month.start, key.month.end])
        while let row = try rows.next() {
            guard let kind = ActivityKind(rawValue: row[1]) else { continue }
            accumulator.add(kind: kind, site: row[0], product: row[2], tenant: row[3], substance: row[4], bucket: row[5], amount: row[6])
        }
        // A zero of a facility measure says it was measured (``SeriesContribution``); any other
        // zero is a sum that cancelled out and changes nothing. A query of its own, forced onto
        // the series index by kind: left to the planner (or folded into the query above) it walks
        // every series of the region — every tenant's — and raised the calculator's peak memory
        // by about 80 MB at 50,000 tenants (measured with scripts/bench).
        let measures = ActivityKind.allCases.filter(\.isFacilityMeasure).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let zeros = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.site, s.kind, s.substance, a.bucket
                FROM series s INDEXED BY series_usage_profile JOIN amounts a ON a.series_id = s.id
                WHERE s.region = ? AND s.kind IN (\(measures)) AND a.bucket >= ? AND a.bucket < ? AND a.amount = 0
                """,
            arguments: [key.region, key.month.start, key.month.end])
        while let row = try zeros.next() {
            guard let kind = ActivityKind(rawValue: row[1]) else { continue }
            accumulator.add(kind: kind, site: row[0], product: "", tenant: "", substance: row[2], bucket: row[3], amount: 0)
        }
        if let tenantCells {
            var totals: [String: Int64] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT s.product, SUM(a.amount) FROM series s JOIN amounts a ON a.series_id = s.id
                    WHERE s.region = ? AND s.kind = 'usage' AND s.substance = '' AND a.bucket >= ? AND a.bucket < ?
                    GROUP BY s.product
                    """,
                arguments: [key.region, key.month.start, key.month.end])
            {
                totals[row[0]] = row[1]
            }
            accumulator.setUsageTotals(totals)
            let cell = try db.cachedStatement(
                sql: """
                    SELECT SUM(a.amount) FROM series s JOIN amounts a ON a.series_id = s.id
                    WHERE s.region = ? AND s.kind = 'usage' AND s.product = ? AND s.tenant = ? AND s.substance = ''
                        AND a.bucket >= ? AND a.bucket < ?
                    """)
            for wanted in tenantCells {
                let amount =
                    try Int64.fetchOne(cell, arguments: [key.region, wanted.product, wanted.tenant, key.month.start, key.month.end]) ?? 0
                if amount != 0 {
                    accumulator.add(
                        kind: .usage, site: "", product: wanted.product, tenant: wanted.tenant, substance: "", bucket: key.month.start,
                        amount: amount)
                }
            }
        }
        return accumulator.input(
            region: key.region, month: key.month, sites: try CalculatorStore.sites(db, region: key.region), products: products,
            factors: factors, quality: quality, marketBoundary: marketBoundary)
    }

    /// The tenant cells of a region-month with usage that has resource details (estimable):
    /// they are calculated in every round, since whether they are estimated or measured depends
    /// on the facility data, and their estimates on the factors. (`> ''` rather than `<> ''`:
    /// SQLite reads a range of `series_usage_profile` only for the former, the same rows.)
    static func estimableCells(_ db: Database, key: RegionMonthKey) throws -> Set<TenantCellKey> {
        Set(
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT s.product, s.tenant FROM series s
                    WHERE s.region = ? AND s.kind = 'usage' AND s.substance > ''
                        AND EXISTS (SELECT 1 FROM amounts a WHERE a.series_id = s.id AND a.bucket >= ? AND a.bucket < ?)
                    """,
                arguments: [key.region, key.month.start, key.month.end]
            ).map { TenantCellKey(tenant: $0["tenant"], product: $0["product"]) })
    }
}

import CarbonModel
import Foundation
import GRDB

/// Reads the allocation inputs of one region and month from the calculator's store into a
/// `RegionMonthAccumulator`, which shapes them into the engine's plain values.
enum RegionMonthInputBuilder {
    static func build(
        _ db: Database, key: RegionMonthKey, factors: FactorResolver, products: [String: ProductDeclaration],
        quality: DataQualitySettings = .default
    ) throws -> RegionMonthInput
    {
        var accumulator = RegionMonthAccumulator()
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT s.site, s.kind, s.product, s.tenant, s.substance, a.bucket, a.amount
                FROM series s JOIN amounts a ON a.series_id = s.id
                WHERE s.region = ? AND a.bucket >= ? AND a.bucket < ? AND a.amount != 0
                """,
            arguments: [key.region, key.month.start, key.month.end])
        while let row = try rows.next() {
            guard let kind = ActivityKind(rawValue: row[1]) else { continue }
            accumulator.add(kind: kind, site: row[0], product: row[2], tenant: row[3], substance: row[4], bucket: row[5], amount: row[6])
        }
        return accumulator.input(
            region: key.region, month: key.month, sites: try CalculatorStore.sites(db, region: key.region), products: products,
            factors: factors, quality: quality)
    }
}

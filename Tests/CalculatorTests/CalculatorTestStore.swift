import CarbonModel
import Contracts
import Foundation
import GRDB
import Messaging
import Testing

@testable import Calculator

/// A calculator store of the test's own, in a temporary folder, made by the service's own
/// migrations (the messaging tables, then ``CalculatorMigrations``), with the ledger the
/// delivery loop keeps: what the calculator does with each message, without ZeroMQ.
final class CalculatorTestStore {
    let folder: URL
    let database: DatabasePool
    private var ledger = RecordLedger()

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cm-calculator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var migrator = DatabaseMigrator()
        MessageStore.registerMigrations(&migrator)
        CalculatorMigrations.register(&migrator)
        database = try DatabasePool(path: folder.appendingPathComponent("calculator.sqlite").path)
        try migrator.migrate(database)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Applies a registry update, as the delivery loop applies `registry.update.v1`.
    func declare(sites: [SiteDeclaration] = [], products: [ProductDeclaration] = [], factors: [EmissionFactor] = []) throws {
        try database.write { db in try ledger.apply(db, update: RegistryUpdate(sites: sites, products: products, factors: factors)) }
    }

    /// Applies records, as the delivery loop applies `activity.normalized.v1`.
    @discardableResult
    func apply(_ records: [NormalizedRecord]) throws -> (applied: Int, stale: Int) {
        try database.write { db in try ledger.apply(db, records: records) }
    }

    /// Applies retractions, as the delivery loop applies `activity.retraction.v1`.
    @discardableResult
    func retract(_ retractions: [RecordRetraction]) throws -> Int {
        try database.write { db in try ledger.retract(db, retractions) }
    }

    /// The non-zero sums of every series of `kind`, by (site, product, tenant, substance) and bucket.
    func sums(kind: ActivityKind) throws -> [SeriesSum] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.site, s.product, s.tenant, s.substance, a.bucket, a.amount FROM series s JOIN amounts a ON a.series_id = s.id
                    WHERE s.kind = ? AND a.amount != 0 ORDER BY s.site, s.product, s.tenant, s.substance, a.bucket
                    """,
                arguments: [kind.rawValue]
            ).map { SeriesSum(site: $0[0], product: $0[1], tenant: $0[2], substance: $0[3], bucket: $0[4], amount: $0[5]) }
        }
    }

    /// The region-months marked for recalculation.
    func dirty() throws -> DirtyMarks {
        try database.read { db in
            var marks = DirtyMarks(all: [], allTenants: [])
            for row in try Row.fetchAll(db, sql: "SELECT region, month, all_tenants FROM dirty") {
                let key = "\(row["region"] as String)/\(row["month"] as String)"
                marks.all.insert(key)
                if row["all_tenants"] as Bool { marks.allTenants.insert(key) }
            }
            return marks
        }
    }

    /// Forgets every dirty mark, so that a test can see what the next change marks.
    func clearDirty() throws {
        try database.write { db in try db.execute(sql: "DELETE FROM dirty") }
    }

    /// Calculates one region-month as the recalculation loop does and returns what it
    /// published (the outbox's newest message, decoded) with what it reported.
    func calculate(_ key: RegionMonthKey, calculation: RegionMonthCalculation = .test()) throws -> (
        calculated: CalculatedRegionMonth, publication: RegionMonthPublication
    ) {
        try database.write { db in
            let calculated = try calculation.calculate(db, key: key)
            let row = try #require(try Row.fetchOne(db, sql: "SELECT type, body FROM outbox ORDER BY seq DESC LIMIT 1"))
            #expect(row["type"] as String == RegionMonthPublication.messageType)
            let publication = try JSONDecoder().decode(RegionMonthPublication.self, from: row["body"] as Data)
            return (calculated, publication)
        }
    }

    /// The engine's whole result for a region-month, from the inputs the recalculation reads
    /// (``RegionMonthInputBuilder``), with no factors but the declared ones.
    func result(_ key: RegionMonthKey, marketBoundary: MarketBoundary = .hourlyOnly, tenantCells: Set<TenantCellKey>? = nil) throws
        -> RegionMonthResult
    {
        try database.read { db in
            let factors = FactorResolver(try CalculatorStore.factors(db, in: key.month, grids: try CalculatorStore.grids(db, region: key.region)))
            let input = try RegionMonthInputBuilder.build(
                db, key: key, factors: factors, products: try CalculatorStore.products(db), marketBoundary: marketBoundary,
                tenantCells: tenantCells)
            return AccountingEngine.calculate(input)
        }
    }
}

/// The region-months marked for recalculation, as `region/month`, and those of them marked for
/// every tenant cell (a declaration can move usage between cells).
struct DirtyMarks: Equatable {
    var all: Set<String>
    var allTenants: Set<String>
}

/// One non-zero bucket of a stored series.
struct SeriesSum: Hashable, CustomStringConvertible {
    var site: String
    var product: String
    var tenant: String
    var substance: String
    var bucket: Int64
    var amount: Int64

    var description: String { "\(site)/\(product)/\(tenant)/\(substance)@\(bucket)=\(amount)" }
}

extension RegionMonthCalculation {
    /// The calculation as a single calculator runs it, with no shipped factors: every figure
    /// of a test comes from the factors it declares.
    static func test(marketBoundary: MarketBoundary = .hourlyOnly) -> RegionMonthCalculation {
        RegionMonthCalculation(source: MessageSource(service: "calculator", instance: "test"), defaultFactors: [], marketBoundary: marketBoundary)
    }
}

/// January and February 2024, and the records and declarations the tests are made of.
enum Given {
    static let january = CalendarMonth(year: 2024, month: 1)
    static let february = CalendarMonth(year: 2024, month: 2)
    static let hour: Int64 = 3_600

    /// `value` units in integer micro-units, as the preprocessor stores amounts (model.md §2).
    static func micro(_ value: Int64) -> Int64 { value * 1_000_000 }

    static func record(
        _ id: String, _ kind: ActivityKind, from start: Int64, to end: Int64, micro amount: Int64, unit: String, site: String? = "s1",
        region: String = "r1", product: String? = nil, tenant: String? = nil, substance: String? = nil, lifetimeMonths: Int? = nil,
        revision: Int = 1, owner: String? = nil
    ) -> NormalizedRecord {
        NormalizedRecord(
            source: "test", id: id, revision: revision, kind: kind, start: start, end: end, amount: amount, unit: unit, site: site,
            region: region, product: product, tenant: tenant, substance: substance, lifetimeMonths: lifetimeMonths, owner: owner)
    }

    /// A usage record of the whole of `month`; no site, as a tenant's bill names only the region.
    static func usage(
        _ id: String, tenant: String, product: String, _ value: Int64, unit: String, month: CalendarMonth = january, revision: Int = 1
    ) -> NormalizedRecord {
        record(
            id, .usage, from: month.start, to: month.end, micro: micro(value), unit: unit, site: nil, product: product, tenant: tenant,
            revision: revision)
    }

    static func factor(
        _ id: String, _ activity: String, grid: String?, _ value: Double, unit: String = "kgCO2e/kWh", from: CalendarMonth = january,
        to: CalendarMonth = CalendarMonth(year: 2025, month: 1), version: String = "1"
    ) -> EmissionFactor {
        EmissionFactor(
            factor: id, activity: activity, region: grid, unit: unit, value: value, validFrom: from.start, validTo: to.start, source: "test",
            version: version)
    }
}

/// `actual` equals `expected` to floating-point rounding (sums over 744 hours, products of shares).
func expectClose(_ actual: Double?, _ expected: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("\(what): missing, expected \(expected)", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(actual - expected) <= 1e-9 * max(1, abs(expected)), "\(what): \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

/// Every field of `actual` equals the one of `expected` to floating-point rounding.
func expectClose(_ actual: EmissionFigures?, _ expected: EmissionFigures, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("\(what): missing", sourceLocation: sourceLocation)
        return
    }
    expectClose(actual.scope1, expected.scope1, "\(what) scope1", sourceLocation: sourceLocation)
    expectClose(actual.scope2Location, expected.scope2Location, "\(what) scope2_location", sourceLocation: sourceLocation)
    expectClose(actual.scope2Market, expected.scope2Market, "\(what) scope2_market", sourceLocation: sourceLocation)
    expectClose(actual.scope3, expected.scope3, "\(what) scope3", sourceLocation: sourceLocation)
    expectClose(actual.energyKWh, expected.energyKWh, "\(what) energy_kwh", sourceLocation: sourceLocation)
    expectClose(actual.scope2MarketHourly, expected.scope2MarketHourly, "\(what) scope2_market_hourly", sourceLocation: sourceLocation)
    expectClose(actual.cfeKWh, expected.cfeKWh, "\(what) cfe_kwh", sourceLocation: sourceLocation)
}

import CarbonModel
import Contracts
import Foundation
import GRDB
import Messaging
import Testing

@testable import Reporter

/// A region-month published by two calculator partitions (``CalculatorPartition``): each
/// publication replaces only its own partition's cells, each partition's versions are ordered
/// and checked on their own, and the ledger's version of the region-month moves on at each, so
/// a superseded version holds both partitions' cells as they stood.
@Suite struct PartitionedLedgerTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    // In r1, of 2 partitions: the sites and ecs are partition 0's, gpu is partition 1's.
    static let zero = CalculatorPartition(index: 0, count: 2)
    static let one = CalculatorPartition(index: 1, count: 2)

    static func product(_ name: String, location: Double, usage: [String: Double]) -> (ProductRegionResult, [TenantResult]) {
        let figures = EmissionFigures(scope1: 0, scope2Location: location, scope2Market: location, scope3: 0, energyKWh: location * 2)
        let total = usage.values.reduce(0, +)
        let product = ProductRegionResult(
            product: name, region: "r1", month: month, basis: .usage, figures: figures, unallocated: .zero, usage: total, capacity: 0,
            denominator: total, quality: QualityShares(measured: 1, filled: 0, flagged: 0, estimated: 0))
        let tenants = usage.sorted { $0.key < $1.key }.map { tenant, amount in
            TenantResult(
                tenant: tenant, product: name, region: "r1", month: month, figures: figures.scaled(by: amount / total), usage: amount,
                share: amount / total, quality: product.quality)
        }
        return (product, tenants)
    }

    static func publication(
        _ partition: CalculatorPartition, version: Int, base: Int?, at instant: String, product: (ProductRegionResult, [TenantResult]),
        sites: [SiteResult] = []
    ) -> RegionMonthPublication {
        var publication = RegionMonthPublication(
            region: "r1", month: month, version: version, calculatedAt: instant,
            result: RegionMonthResult(region: "r1", month: month, sites: sites, productRegions: [product.0], tenants: product.1))
        publication.baseVersion = base
        publication.removedTenants = base == nil ? nil : []
        publication.factorsUsed = [FactorReference(factor: "f\(partition.index)", version: "1", value: 0.5, source: "test")]
        publication.partition = partition
        return publication
    }

    static let site = SiteResult(
        site: "s1", region: "r1", month: month,
        figures: EmissionFigures(scope1: 0, scope2Location: 30, scope2Market: 30, scope3: 0, energyKWh: 60), unallocated: .zero, itKWh: 50,
        pue: 1.2, factorsUsed: [])

    /// scope2_location by "product/tenant" (or "/site", "product/product").
    func location(_ db: Database, _ sql: String, _ arguments: StatementArguments = []) throws -> [String: Double] {
        var figures: [String: Double] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let product: String = row["product"] ?? ""
            let layer: String = row["layer"]
            let tenant: String = row["tenant"] ?? layer
            figures[product + "/" + tenant] = row["scope2_location"]
        }
        return figures
    }

    @Test func eachPartitionReplacesOnlyItsOwnCells() throws {
        #expect(Self.zero.ownsSites(of: "r1") && Self.zero.owns(product: "ecs", in: "r1") && Self.one.owns(product: "gpu", in: "r1"))
        let queue = try TenantCellLedgerTests().store()
        try queue.write { db in
            let ecs = Self.product("ecs", location: 20, usage: ["a": 1, "b": 3])
            let gpu = Self.product("gpu", location: 10, usage: ["c": 2])
            #expect(try LedgerStore.apply(db, Self.publication(Self.zero, version: 1, base: nil, at: "2024-02-01T00:00:00Z", product: ecs, sites: [Self.site])))
            #expect(try LedgerStore.apply(db, Self.publication(Self.one, version: 1, base: nil, at: "2024-02-01T00:01:00Z", product: gpu)))
            let both = try location(db, "SELECT * FROM ledger")
            #expect(both == ["/site": 30, "ecs/product": 20, "ecs/a": 5, "ecs/b": 15, "gpu/product": 10, "gpu/c": 10], "\(both)")
            #expect(try Int.fetchOne(db, sql: "SELECT version FROM versions") == 2, "the ledger counts both publications")

            // Partition 1's second version changes gpu only; partition 0's cells stay.
            let gpu2 = Self.product("gpu", location: 16, usage: ["c": 2, "d": 2])
            #expect(try LedgerStore.apply(db, Self.publication(Self.one, version: 2, base: 1, at: "2024-02-01T00:02:00Z", product: gpu2)))
            let after = try location(db, "SELECT * FROM ledger")
            #expect(after == ["/site": 30, "ecs/product": 20, "ecs/a": 5, "ecs/b": 15, "gpu/product": 16, "gpu/c": 8, "gpu/d": 8], "\(after)")
            // Version 2 of the ledger, now superseded, is both partitions as they stood.
            let second = try location(db, "SELECT * FROM ledger_superseded WHERE version = 2")
            #expect(second == both, "\(second)")
            // Its factors are both partitions'.
            let factors = try String.fetchOne(db, sql: "SELECT CAST(factors AS TEXT) FROM version_history WHERE version = 3") ?? ""
            #expect(factors.contains("\"f0\"") && factors.contains("\"f1\""), "\(factors)")

            // Older and same versions of a partition are ignored, whatever the other holds.
            #expect(try !LedgerStore.apply(db, Self.publication(Self.zero, version: 1, base: nil, at: "2024-02-01T00:03:00Z", product: ecs)))
            #expect(try !LedgerStore.apply(db, Self.publication(Self.one, version: 2, base: 1, at: "2024-02-01T00:03:00Z", product: gpu2)))
            // A change set must build on its own partition's version (partition 0 holds 1, not 2).
            #expect(throws: LedgerGap.self) {
                try LedgerStore.apply(db, Self.publication(Self.zero, version: 3, base: 2, at: "2024-02-01T00:04:00Z", product: ecs))
            }
            // A whole publication of partition 0 replaces its tenant cells, not partition 1's.
            let ecs2 = Self.product("ecs", location: 20, usage: ["b": 1])
            #expect(try LedgerStore.apply(db, Self.publication(Self.zero, version: 2, base: nil, at: "2024-02-01T00:05:00Z", product: ecs2, sites: [Self.site])))
            let last = try location(db, "SELECT * FROM ledger")
            #expect(last == ["/site": 30, "ecs/product": 20, "ecs/b": 20, "gpu/product": 16, "gpu/c": 8, "gpu/d": 8], "\(last)")
        }
    }

    @Test func partitionsSplitAResultIntoDisjointPartsThatMakeTheWhole() {
        let ecs = Self.product("ecs", location: 20, usage: ["a": 1])
        let gpu = Self.product("gpu", location: 10, usage: ["c": 2])
        var result = RegionMonthResult(
            region: "r1", month: Self.month, sites: [Self.site], productRegions: [ecs.0, gpu.0], tenants: ecs.1 + gpu.1,
            hourly: [
                HourlySeries(layer: "site", site: "s1", hours: [.zero]), HourlySeries(layer: "product", product: "gpu", hours: [.zero]),
            ])
        result.productSites = [
            ProductSiteResult(product: "ecs", site: "s1", region: "r1", month: Self.month, figures: ecs.0.figures),
            ProductSiteResult(product: "gpu", site: "s1", region: "r1", month: Self.month, figures: gpu.0.figures),
        ]
        let zero = Self.zero.restrict(result), one = Self.one.restrict(result)
        #expect(zero.sites.map(\.site) == ["s1"] && one.sites.isEmpty)
        #expect(zero.productRegions.map(\.product) == ["ecs"] && one.productRegions.map(\.product) == ["gpu"])
        #expect(zero.productSites.map(\.product) == ["ecs"] && one.productSites.map(\.product) == ["gpu"])
        #expect(zero.tenants.map(\.tenant) == ["a"] && one.tenants.map(\.tenant) == ["c"])
        #expect(zero.hourly.map(\.layer) == ["site"] && one.hourly.map(\.layer) == ["product"])
        #expect(CalculatorPartition.whole.restrict(result) == result)
        // Usage goes to its product's partition; everything else to every partition.
        var usage = NormalizedRecord(
            source: "bill", id: "u1", kind: .usage, start: 0, end: 3600, amount: 1, unit: "vCPU-h", region: "r1", product: "gpu", tenant: "c")
        #expect(CalculatorPartition.index(of: usage, count: 2) == 1)
        usage.kind = .productITElectricity
        #expect(CalculatorPartition.index(of: usage, count: 2) == nil)
        #expect(CalculatorPartition.index(of: usage, count: 1) == nil)
    }
}

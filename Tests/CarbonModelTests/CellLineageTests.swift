import Foundation
import Testing

@testable import CarbonModel

/// Lineage of product-site, product and tenant cells against a hand-computed case.
struct CellLineageTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    static let sites = [SiteDeclaration(site: "s1", region: "r1", grid: "G"), SiteDeclaration(site: "s2", region: "r1", grid: "G")]
    static let grid = EmissionFactor(
        factor: "grid.G", activity: "electricity", region: "G", unit: "kgCO2e/kWh", value: 0.5,
        validFrom: month.start, validTo: month.end, source: "test", version: "3")

    /// A record over the whole month of `amount` (canonical units).
    static func record(
        _ id: String, _ kind: ActivityKind, _ amount: Double, unit: String, site: String?, product: String? = nil, tenant: String? = nil
    ) -> NormalizedRecord {
        NormalizedRecord(
            source: "t", id: id, revision: 1, kind: kind, start: month.start, end: month.end, amount: Int64(amount * 1_000_000), unit: unit,
            site: site, region: "r1", product: product, tenant: tenant)
    }

    // s1: grid 1000 kWh → 500 kg; IT ecs 300, oss 100 → w(ecs) = 0.75; unassigned embodied 40 kg.
    // s2: grid 200 kWh → 100 kg; IT ecs 50 → w(ecs) = 1; ecs embodied 10 kg.
    // E(ecs,s1) = 0.75 × (500, scope3 40) = location 375, scope3 30; E(ecs,s2) = 100 + scope3 10.
    // E(ecs,r1) = location 475, scope3 40, total 515. Usage A 30, B 10 → D = 40, share(A) = 0.75:
    // E(A) = location 356.25, scope3 30, energy 0.75 × (0.75 × 1000 + 200) = 712.5.
    static let records = [
        record("g1", .facilityElectricity, 1000, unit: "kWh", site: "s1"),
        record("g2", .facilityElectricity, 200, unit: "kWh", site: "s2"),
        record("i1", .productITElectricity, 300, unit: "kWh", site: "s1", product: "ecs"),
        record("i2", .productITElectricity, 100, unit: "kWh", site: "s1", product: "oss"),
        record("i3", .productITElectricity, 50, unit: "kWh", site: "s2", product: "ecs"),
        record("e1", .hardwareEmbodied, 40, unit: "kgCO2e", site: "s1"),
        record("e2", .hardwareEmbodied, 10, unit: "kgCO2e", site: "s2", product: "ecs"),
        record("uA", .usage, 30, unit: "vCPU-h", site: "s1", product: "ecs", tenant: "A"),
        record("uB", .usage, 10, unit: "vCPU-h", site: "s2", product: "ecs", tenant: "B"),
    ]

    static func close(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) < 1e-9 }

    @Test func tenantCellByHand() throws {
        let cell = try CellLineage.build(
            layer: .tenant, region: "r1", month: Self.month, site: nil, product: "ecs", tenant: "A", sites: Self.sites,
            products: ["ecs": ProductDeclaration(product: "ecs", unit: "vCPU-h")], records: Self.records, factors: FactorResolver([Self.grid]))
        #expect(cell.mode == .measured && cell.denominator == 40 && cell.share == 0.75)
        #expect(Self.close(cell.sites.first?.weights["ecs"], 0.75) && cell.sites.last?.weights["ecs"] == 1)
        #expect(cell.usage.map(\.id) == ["uA", "uB"])
        let f = try #require(cell.figures)
        #expect(Self.close(f.scope2Location, 356.25) && Self.close(f.scope3, 30) && Self.close(f.energyKWh, 712.5))
        // The factor behind the figures is named with its version and value.
        let factor = cell.sites.first?.lineage.terms.first { $0.scope == "scope2_location" }?.factor
        #expect(factor == FactorReference(factor: "grid.G", version: "3", value: 0.5))
    }

    @Test func productCellsAndMissingCells() throws {
        let product = try CellLineage.build(
            layer: .product, region: "r1", month: Self.month, site: nil, product: "ecs", tenant: nil, sites: Self.sites, products: [:],
            records: Self.records, factors: FactorResolver([Self.grid]))
        #expect(Self.close(product.figures?.totalLocation, 515))
        let productSite = try CellLineage.build(
            layer: .productSite, region: "r1", month: Self.month, site: "s2", product: "ecs", tenant: nil, sites: Self.sites, products: [:],
            records: Self.records, factors: FactorResolver([Self.grid]))
        #expect(Self.close(productSite.figures?.scope2Location, 100) && Self.close(productSite.figures?.scope3, 10))
        #expect(throws: CellLineage.Missing.tenant("Z")) {
            try CellLineage.build(
                layer: .tenant, region: "r1", month: Self.month, site: nil, product: "ecs", tenant: "Z", sites: Self.sites, products: [:],
                records: Self.records, factors: FactorResolver([Self.grid]))
        }
        #expect(throws: CellLineage.Missing.product("gpu")) {
            try CellLineage.build(
                layer: .product, region: "r1", month: Self.month, site: nil, product: "gpu", tenant: nil, sites: Self.sites, products: [:],
                records: Self.records, factors: FactorResolver([Self.grid]))
        }
    }

    @Test func agreesWithTheEngine() throws {
        // The same records through the accumulator and the engine give the same tenant figures.
        var accumulator = RegionMonthAccumulator()
        for record in Self.records {
            for bucket in TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity) {
                accumulator.add(
                    kind: record.kind, site: record.site ?? "", product: record.product ?? "", tenant: record.tenant ?? "", substance: "",
                    bucket: bucket.start, amount: bucket.amount)
            }
        }
        let result = AccountingEngine.calculate(
            accumulator.input(
                region: "r1", month: Self.month, sites: Dictionary(uniqueKeysWithValues: Self.sites.map { ($0.site, $0) }), products: [:],
                factors: FactorResolver([Self.grid])))
        let engine = try #require(result.tenants.first { $0.tenant == "A" })
        let cell = try CellLineage.build(
            layer: .tenant, region: "r1", month: Self.month, site: nil, product: "ecs", tenant: "A", sites: Self.sites, products: [:],
            records: Self.records, factors: FactorResolver([Self.grid]))
        let f = try #require(cell.figures)
        for (a, b) in [(f.scope1, engine.figures.scope1), (f.scope2Location, engine.figures.scope2Location),
            (f.scope2Market, engine.figures.scope2Market), (f.scope3, engine.figures.scope3), (f.energyKWh, engine.figures.energyKWh)] {
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)))
        }
    }
}

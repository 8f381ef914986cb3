import CarbonModel
import Contracts
import Foundation
import GRDB
import Testing

@testable import Calculator

/// One region-month of the calculator in process: the inputs the recalculation reads from the
/// stored sums (``RegionMonthInputBuilder``), the engine's figures checked against a case
/// computed by hand, and what the calculation publishes (``RegionMonthCalculation``).
@Suite final class RecalculationTests {
    let store: CalculatorTestStore
    let key = RegionMonthKey(region: "r1", month: Given.january)

    init() throws {
        store = try CalculatorTestStore()
        try HandComputedCase.load(into: store)
    }

    @Test func theFiguresAreTheHandComputedOnesAndAddUp() throws {
        let result = try store.result(key)
        #expect(result.missingFactors.isEmpty, "\(result.missingFactors)")

        // Layer 1, site s1 (docs/model.md §7–§11).
        let site = try #require(result.sites.first { $0.site == "s1" })
        expectClose(site.figures, HandComputedCase.site, "site s1")
        expectClose(site.unallocated, .zero, "site s1 unallocated")
        // IT(s) = Σ_p IT(p, s) = 600 + 200 = 800 kWh (no facility IT meter); PUE = 1,000 / 800.
        expectClose(site.itKWh, 800, "site s1 IT kWh")
        expectClose(site.pue, 1.25, "site s1 PUE")
        // Every hour was metered; none filled or flagged.
        expectClose(site.quality?.measured, 1, "site s1 measured share")
        #expect(site.quality?.filled == 0 && site.quality?.flagged == 0 && site.quality?.estimated == 0)
        #expect(Set(site.factorsUsed.map(\.factor)) == ["grid.G1", "residual.G1", "diesel.G1"])

        // Layer 2 (§12): one site, so each product's region figure is its site figure.
        let productSites = Dictionary(uniqueKeysWithValues: result.productSites.map { ($0.product, $0.figures) })
        expectClose(productSites["vm"], HandComputedCase.vm, "vm at s1")
        expectClose(productSites["store"], HandComputedCase.store, "store at s1")
        let products = Dictionary(uniqueKeysWithValues: result.productRegions.map { ($0.product, $0) })
        let vm = try #require(products["vm"])
        let store = try #require(products["store"])
        expectClose(vm.figures, HandComputedCase.vm, "vm in r1")
        expectClose(store.figures, HandComputedCase.store, "store in r1")
        // vm, basis usage: U = D = 30 + 10 = 40 vCPU-h. store, basis capacity: U = 40 GB-h,
        // D = max(capacity 100, U 40) = 100 GB-h.
        #expect([vm.usage, vm.denominator, store.usage, store.capacity, store.denominator] == [40, 40, 40, 100, 100])
        expectClose(vm.unallocated, .zero, "vm unallocated")
        expectClose(store.unallocated, HandComputedCase.storeUnallocated, "store unallocated")

        // Layer 3 (§13).
        let tenants = Dictionary(uniqueKeysWithValues: result.tenants.map { ("\($0.tenant)/\($0.product)", $0) })
        #expect(Set(tenants.keys) == ["a/vm", "b/vm", "a/store"])
        #expect(tenants.values.allSatisfy { $0.mode == .measured })
        #expect([tenants["a/vm"]?.share, tenants["b/vm"]?.share, tenants["a/store"]?.share] == [0.75, 0.25, 0.4])
        expectClose(tenants["a/vm"]?.figures, HandComputedCase.vmA, "a vm")
        expectClose(tenants["b/vm"]?.figures, HandComputedCase.vmB, "b vm")
        expectClose(tenants["a/store"]?.figures, HandComputedCase.storeA, "a store")

        // Conservation (§14): tenants + unallocated = product, products + unallocated = site.
        for product in [vm, store] {
            let cells = result.tenants.filter { $0.product == product.product }.reduce(EmissionFigures.zero) { $0 + $1.figures }
            expectClose(cells + product.unallocated, product.figures, "\(product.product): tenants + unallocated")
        }
        expectClose(vm.figures + store.figures + site.unallocated, site.figures, "products + unallocated")
    }

    @Test func inputsReadForSomeTenantCellsGiveThoseCellsTheSameFigures() throws {
        // A round that reads only b's plain usage still has U of every tenant (one SQL sum per
        // product), so b's share and figures are those of a round that read everything.
        let whole = try store.result(key)
        let scoped = try store.result(key, tenantCells: [TenantCellKey(tenant: "b", product: "vm")])
        #expect(scoped.tenants.map { "\($0.tenant)/\($0.product)" } == ["b/vm"])
        let wholeB = whole.tenants.first { $0.tenant == "b" && $0.product == "vm" }
        #expect(scoped.tenants.first == wholeB)
        #expect(scoped.productRegions == whole.productRegions)
        #expect(scoped.sites == whole.sites)
    }

    @Test func theCalculationPublishesTheWholeRegionMonthAndClearsItsMark() throws {
        #expect(try store.dirty().all == ["r1/2024-01"])
        let (calculated, publication) = try store.calculate(key)
        #expect(calculated.version == 1 && calculated.tenantCells == 3 && calculated.changedCells == 3 && calculated.pages == 1)
        #expect(calculated.missingFactors.isEmpty)

        // The first version is whole (it builds on none) and carries every cell.
        #expect(publication.region == "r1" && publication.month == Given.january && publication.version == 1)
        #expect(publication.baseVersion == nil && publication.removedTenants == nil && publication.partition == nil)
        expectClose(publication.result.sites.first?.figures, HandComputedCase.site, "published site")
        let products = Dictionary(uniqueKeysWithValues: publication.result.productRegions.map { ($0.product, $0) })
        expectClose(products["vm"]?.figures, HandComputedCase.vm, "published vm")
        expectClose(products["store"]?.unallocated, HandComputedCase.storeUnallocated, "published store unallocated")
        // Measured tenant cells travel as their usage alone: the reporter derives usage / D × E(p, r).
        #expect(
            Set(publication.measuredCells ?? []) == [
                MeasuredCell(tenant: "a", product: "vm", usage: 30), MeasuredCell(tenant: "b", product: "vm", usage: 10),
                MeasuredCell(tenant: "a", product: "store", usage: 40),
            ])
        #expect(publication.result.tenants.isEmpty)
        #expect(Set(publication.allFactorsUsed.map(\.factor)) == ["grid.G1", "residual.G1", "diesel.G1"])

        // The mark and the changed cells are gone; the version and the published cells are held.
        #expect(try store.dirty().all.isEmpty)
        let (version, tracked, published, changed) = try store.database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT version FROM results WHERE region = 'r1' AND month = '2024-01'"),
                try Bool.fetchOne(db, sql: "SELECT cells_tracked FROM results WHERE region = 'r1' AND month = '2024-01'"),
                try PublishedTenantCells.count(db, key: key), try PublishedTenantCells.changed(db, key: key)
            )
        }
        #expect(version == 1 && tracked == true && published == 3 && changed.isEmpty)
    }

    @Test func aVersionWithMoreTenantCellsThanAPageHoldsTravelsAsSeveralPages() throws {
        var calculation = RegionMonthCalculation.test()
        calculation.pageCells = 2
        let calculated = try store.database.write { db in try calculation.calculate(db, key: key) }
        // 3 tenant cells, 2 a page: a page of 2, a page of 1, and the last page with the rest.
        #expect(calculated.pages == 3)
        let pages = try store.database.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM outbox ORDER BY seq").map { try JSONDecoder().decode(RegionMonthPublication.self, from: $0) }
        }
        #expect(pages.map { $0.page } == [1, 2, 3] && pages.allSatisfy { $0.pages == 3 && $0.version == 1 })
        #expect(pages.map { $0.measuredCells?.count ?? 0 } == [2, 1, 0])
        // Only the last page, which completes the version, carries the sites and products.
        #expect(pages.map { $0.result.sites.count } == [0, 0, 1] && pages.map { $0.result.productRegions.count } == [0, 0, 2])
    }

    @Test func aRegionMonthIsDueOnceSettledOrOnceItHasWaitedLongEnough() throws {
        // The mark was made at a time t (epoch milliseconds), 0 < t < Int64.max. A region-month
        // is due when its last mark is at or before `settledBefore` (it has been quiet long
        // enough), or its first at or before `waitedBefore` (it has waited long enough).
        let (settled, waited, neither) = try store.database.read { db in
            (
                try Recalculator.due(db, settledBefore: .max, waitedBefore: 0),
                try Recalculator.due(db, settledBefore: 0, waitedBefore: .max),
                try Recalculator.due(db, settledBefore: 0, waitedBefore: 0)
            )
        }
        #expect(settled == [key] && waited == [key] && neither.isEmpty)
    }
}

/// One site, one month, computed by hand (docs/model.md §7–§14). Site s1 in region r1 on grid
/// G1, January 2024 (744 hours):
///
/// - grid electricity 1,000 kWh over the month; grid factor 0.5 and residual mix 0.6 kg CO2e/kWh;
/// - certificates of 200 kWh over the month, produced in G1;
/// - 10 L of diesel at 2.7 kg CO2e/L;
/// - 120 kg CO2e of hardware with a one-month life entering service on 1 January, registered
///   to no product;
/// - IT energy: vm 600 kWh, store 200 kWh, so w(vm) = 600 / 800 = 0.75 and w(store) = 0.25;
/// - vm (vCPU-h, basis usage): a 30, b 10; store (GB-h, basis capacity): capacity 100, a 40.
///
/// Site: scope1 = 10 × 2.7 = 27; scope2_location = 1,000 × 0.5 = 500;
/// scope2_market = (1,000 − 200) × 0.6 = 480 (r̄ = 0.6, the residual mix every hour);
/// scope3 = 120 (all of it in January); energy = 1,000 kWh (no on-site renewables).
/// Hourly method: every hour's grid kWh (1,000 / 744) exceeds its certificates (200 / 744), so
/// Σ_h (grid − c) × 0.6 = 800 × 0.6 = 480, and cfe = Σ_h min(grid, c) = 200 kWh.
enum HandComputedCase {
    /// (scope1, scope2_location, scope2_market, scope3, energy_kwh, scope2_market_hourly, cfe_kwh)
    static let site = EmissionFigures(
        scope1: 27, scope2Location: 500, scope2Market: 480, scope3: 120, energyKWh: 1_000, scope2MarketHourly: 480, cfeKWh: 200)
    /// w = 0.75: 27 × 0.75 = 20.25, 500 × 0.75 = 375, 480 × 0.75 = 360, 120 × 0.75 = 90,
    /// 1,000 × 0.75 = 750, 360, 200 × 0.75 = 150.
    static let vm = EmissionFigures(
        scope1: 20.25, scope2Location: 375, scope2Market: 360, scope3: 90, energyKWh: 750, scope2MarketHourly: 360, cfeKWh: 150)
    /// w = 0.25: 6.75, 125, 120, 30, 250, 120, 50.
    static let store = EmissionFigures(
        scope1: 6.75, scope2Location: 125, scope2Market: 120, scope3: 30, energyKWh: 250, scope2MarketHourly: 120, cfeKWh: 50)
    /// share(a) = 30 / 40 = 0.75 of vm: 15.1875, 281.25, 270, 67.5, 562.5, 270, 112.5.
    static let vmA = EmissionFigures(
        scope1: 15.1875, scope2Location: 281.25, scope2Market: 270, scope3: 67.5, energyKWh: 562.5, scope2MarketHourly: 270, cfeKWh: 112.5)
    /// share(b) = 10 / 40 = 0.25 of vm: 5.0625, 93.75, 90, 22.5, 187.5, 90, 37.5.
    static let vmB = EmissionFigures(
        scope1: 5.0625, scope2Location: 93.75, scope2Market: 90, scope3: 22.5, energyKWh: 187.5, scope2MarketHourly: 90, cfeKWh: 37.5)
    /// share(a) = 40 / D = 40 / 100 = 0.4 of store: 2.7, 50, 48, 12, 100, 48, 20.
    static let storeA = EmissionFigures(
        scope1: 2.7, scope2Location: 50, scope2Market: 48, scope3: 12, energyKWh: 100, scope2MarketHourly: 48, cfeKWh: 20)
    /// (D − U) / D = 60 / 100 = 0.6 of store stays unallocated: 4.05, 75, 72, 18, 150, 72, 30.
    static let storeUnallocated = EmissionFigures(
        scope1: 4.05, scope2Location: 75, scope2Market: 72, scope3: 18, energyKWh: 150, scope2MarketHourly: 72, cfeKWh: 30)

    static func load(into store: CalculatorTestStore) throws {
        let january = Given.january
        let start = january.start
        let end = january.end
        try store.declare(
            sites: [SiteDeclaration(site: "s1", region: "r1", grid: "G1")],
            products: [ProductDeclaration(product: "vm", unit: "vCPU-h"), ProductDeclaration(product: "store", unit: "GB-h", basis: .capacity)],
            factors: [
                Given.factor("grid.G1", "electricity", grid: "G1", 0.5),
                Given.factor("residual.G1", "residual_electricity", grid: "G1", 0.6),
                Given.factor("diesel.G1", "diesel", grid: "G1", 2.7, unit: "kgCO2e/L"),
            ])
        let tenth = start + 9 * 86_400
        try store.apply([
            Given.record("grid", .facilityElectricity, from: start, to: end, micro: Given.micro(1_000), unit: "kWh"),
            Given.record("rec", .facilityCertificate, from: start, to: end, micro: Given.micro(200), unit: "kWh", substance: "G1"),
            Given.record("fuel", .facilityFuel, from: tenth, to: tenth + Given.hour, micro: Given.micro(10), unit: "L", substance: "diesel"),
            Given.record("rack", .hardwareEmbodied, from: start, to: end, micro: Given.micro(120), unit: "kgCO2e", lifetimeMonths: 1),
            Given.record("it-vm", .productITElectricity, from: start, to: end, micro: Given.micro(600), unit: "kWh", product: "vm"),
            Given.record("it-store", .productITElectricity, from: start, to: end, micro: Given.micro(200), unit: "kWh", product: "store"),
            Given.record("cap-store", .productCapacity, from: start, to: end, micro: Given.micro(100), unit: "GB-h", product: "store"),
            Given.usage("a-vm", tenant: "a", product: "vm", 30, unit: "vCPU-h"),
            Given.usage("b-vm", tenant: "b", product: "vm", 10, unit: "vCPU-h"),
            Given.usage("a-store", tenant: "a", product: "store", 40, unit: "GB-h"),
        ])
    }
}

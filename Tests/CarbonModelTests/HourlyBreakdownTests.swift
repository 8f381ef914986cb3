import Foundation
import Testing

@testable import CarbonModel

/// Results by hour: every hourly column sums to its monthly figure, at every layer.
struct HourlyBreakdownTests {
    static let month = CalendarMonth(year: 2024, month: 2)  // 29 days = 696 hours
    static func hour(_ i: Int) -> Int64 { month.start + Int64(i) * 3600 }
    static func factor(_ id: String, _ activity: String, _ region: String?, _ value: Double, from: Int64 = month.start, to: Int64 = month.end)
        -> EmissionFactor
    {
        // Per what the activity is measured in: electricity per kWh, fuel per litre, gases per kg.
        let unit = activity.contains("electricity") ? "kgCO2e/kWh" : activity == "diesel" ? "kgCO2e/L" : "kgCO2e/kg"
        return EmissionFactor(factor: id, activity: activity, region: region, unit: unit, value: value, validFrom: from, validTo: to, source: "test", version: "1")
    }

    static func input() -> RegionMonthInput {
        let mid = hour(300)
        let s1 = SiteMonthInput(
            site: SiteDeclaration(site: "s1", region: "r1", grid: "G"),
            gridElectricityKWh: (0..<696).map { HourlyAmount(hour: hour($0), amount: Double(10 + $0 % 7)) },
            onsiteRenewableKWh: 30, onsiteRenewableHourly: [HourlyAmount(hour: hour(12), amount: 30)],
            certificatesKWh: 2000, fuels: ["diesel": [HourlyAmount(hour: hour(5), amount: 40)]],
            refrigerants: ["HFC-134a": [HourlyAmount(hour: hour(600), amount: 1.5)]],
            productITKWh: ["A": 300, "B": 100], productCapacity: ["B": 5000], embodiedByProduct: ["A": 120], embodiedUnassigned: 60)
        let s2 = SiteMonthInput(
            site: SiteDeclaration(site: "s2", region: "r1", grid: "G"),
            gridElectricityKWh: [HourlyAmount(hour: hour(1), amount: 500), HourlyAmount(hour: hour(400), amount: 250)],
            embodiedUnassigned: 29)  // no product IT: all unallocated
        return RegionMonthInput(
            region: "r1", month: month, sites: [s1, s2],
            products: ["B": ProductDeclaration(product: "B", unit: "GB-h", basis: .capacity)],
            usage: ["A": ["t1": 3, "t2": 1], "B": ["t1": 1000]],
            estimable: [
                EstimableUsage(
                    tenant: "t3", product: "ec2", profile: EstimationProfile(provider: .aws, resource: .compute),
                    hourly: [HourlyAmount(hour: hour(2), amount: 10), HourlyAmount(hour: hour(3), amount: 20)], usage: 30)
            ],
            factors: FactorResolver(
                [
                    factor("grid.G.a", "electricity", "G", 0.5, to: mid), factor("grid.G.b", "electricity", "G", 0.7, from: mid),
                    factor("res.G", "residual_electricity", "G", 0.9, from: mid), factor("diesel", "diesel", nil, 2.7),
                    factor("gwp", "HFC-134a", nil, 1530),
                ] + DefaultFactorLibrary.factors()))
    }

    static func sum(_ series: HourlySeries) -> EmissionFigures {
        var total = EmissionFigures.zero
        for i in 0..<series.count { total += series.figures(at: i) }
        return total
    }

    static func expectSame(_ a: EmissionFigures, _ b: EmissionFigures, _ what: String) {
        for (x, y, scope) in [
            (a.scope1, b.scope1, "scope1"), (a.scope2Location, b.scope2Location, "scope2_location"),
            (a.scope2Market, b.scope2Market, "scope2_market"), (a.scope3, b.scope3, "scope3"), (a.energyKWh, b.energyKWh, "energy"),
        ] {
            #expect(abs(x - y) <= max(1e-9, abs(y) * 1e-12), "\(what) \(scope): hourly Σ \(x) ≠ monthly \(y)")
        }
    }

    @Test func hourlySumsEqualMonthlyAtEveryLayer() throws {
        let input = Self.input()
        let result = AccountingEngine.calculate(input)
        let hourly = HourlyBreakdown.series(input, result: result)
        func find(_ layer: String, part: String = "total", site: String? = nil, product: String? = nil, tenant: String? = nil) throws -> HourlySeries {
            try #require(hourly.first { $0.layer == layer && $0.part == part && $0.site == site && $0.product == product && $0.tenant == tenant })
        }
        #expect(hourly.allSatisfy { $0.count == 696 })
        for site in result.sites {
            Self.expectSame(Self.sum(try find("site", site: site.site)), site.figures, "site \(site.site)")
            if site.unallocated != .zero {
                Self.expectSame(Self.sum(try find("site", part: "unallocated", site: site.site)), site.unallocated, "site \(site.site) unallocated")
            }
        }
        for cell in result.productSites {
            Self.expectSame(Self.sum(try find("product_site", site: cell.site, product: cell.product)), cell.figures, "\(cell.product)@\(cell.site)")
        }
        for cell in result.productRegions {
            let series = try find("product", product: cell.product)
            Self.expectSame(Self.sum(series), cell.figures, "product \(cell.product)")
            if cell.unallocated != .zero {
                Self.expectSame(Self.sum(try find("product", part: "unallocated", product: cell.product)), cell.unallocated, "product \(cell.product) unallocated")
            }
            // Measured tenants: share × the product's hours.
            for tenant in result.tenants where tenant.product == cell.product && tenant.mode == .measured {
                Self.expectSame(Self.sum(series).scaled(by: tenant.share), tenant.figures, "tenant \(tenant.tenant) \(tenant.product)")
            }
        }
        let estimated = try #require(result.tenants.first { $0.mode == .estimated })
        Self.expectSame(Self.sum(try find("tenant", product: "ec2", tenant: "t3")), estimated.figures, "estimated t3")
        // The market-based figure is apportioned only to hours with grid electricity, and the
        // location-based one changes factor at hour 300: 10 kWh at 0.5 vs 0.7.
        let s1 = try find("site", site: "s1")
        #expect(s1.scope2Location[0] == 10 * 0.5)
        #expect(s1.scope2Location[300] == Double(10 + 300 % 7) * 0.7)
        #expect(s1.scope1[5] == 40 * 2.7)
        #expect(s1.energyKWh[12] == Double(10 + 12 % 7) + 30)
    }
}

import Foundation
import Testing

@testable import CarbonModel

/// Hourly matching of certificates (docs/model.md §9, the hourly method) against hand-computed
/// figures: where it differs from monthly matching, the grid boundary, hourly factors, and
/// conservation of the new figures through products and tenants.
struct HourlyMatchingTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    static let site = SiteDeclaration(site: "s1", region: "r1", grid: "G")

    static func hour(_ i: Int) -> Int64 { month.start + Int64(i) * 3600 }

    static func factor(_ activity: String, _ value: Double, from: Int64 = month.start, to: Int64 = month.end, id: String? = nil) -> EmissionFactor {
        EmissionFactor(
            factor: id ?? "\(activity).G", activity: activity, region: "G", unit: "kgCO2e/kWh", value: value, validFrom: from, validTo: to,
            source: "test", version: "1")
    }

    /// A flat load: 10 kWh in each of the 24 hours of January 1st.
    static let flatDay = (0..<24).map { HourlyAmount(hour: hour($0), amount: 10) }

    /// Solar-shaped certificates: `each` kWh in each of hours 10, 11 and 12.
    static func solar(_ each: Double) -> [HourlyAmount] { [10, 11, 12].map { HourlyAmount(hour: hour($0), amount: each) } }

    static func calculate(_ site: SiteMonthInput, factors: [EmissionFactor], usage: [String: [String: Double]] = [:]) -> RegionMonthResult {
        AccountingEngine.calculate(RegionMonthInput(region: "r1", month: month, sites: [site], usage: usage, factors: FactorResolver(factors)))
    }

    @Test func solarCertificatesAgainstAFlatLoad() throws {
        // G = 240 kWh; C = 3 × 40 = 120 kWh at 0.5 kg/kWh (no residual mix: r = the grid factor).
        let site = SiteMonthInput(site: Self.site, gridElectricityKWh: Self.flatDay, certificatesKWh: 120, certificatesHourly: Self.solar(40))
        let s = try #require(Self.calculate(site, factors: [Self.factor("electricity", 0.5)]).sites.first).figures
        // Monthly: max(0, 240 − 120) × 0.5 = 60 kg.
        #expect(s.scope2Market == 60)
        // Hourly: hours 10–12 are covered for their 10 kWh each; the other 30 kWh of certificates
        // of each of those hours are lost, not carried. Uncovered 240 − 30 = 210 kWh × 0.5 = 105 kg.
        #expect(s.scope2MarketHourly == 105)
        #expect(s.totalMarketHourly == 105)
        // Carbon-free: 30 kWh of 240; share 0.125.
        #expect(s.cfeKWh == 30)
        #expect(s.cfeShare == 0.125)
    }

    @Test func theMonthlyMethodGivesZeroWhereTheHourlyOneDoesNot() throws {
        // As many certificates as the month's consumption (240 kWh), all in three midday hours.
        let site = SiteMonthInput(site: Self.site, gridElectricityKWh: Self.flatDay, certificatesKWh: 240, certificatesHourly: Self.solar(80))
        let s = try #require(Self.calculate(site, factors: [Self.factor("electricity", 0.5)]).sites.first).figures
        #expect(s.scope2Market == 0)
        #expect(s.scope2MarketHourly == 105)
        #expect(s.cfeKWh == 30)
    }

    @Test func certificatesOfAnHourWithoutConsumptionAreLost() throws {
        // 50 kWh of certificates at hour 30 (January 2nd, 06:00), when the site drew nothing.
        let site = SiteMonthInput(
            site: Self.site, gridElectricityKWh: Self.flatDay, certificatesKWh: 50, certificatesHourly: [HourlyAmount(hour: Self.hour(30), amount: 50)])
        let s = try #require(Self.calculate(site, factors: [Self.factor("electricity", 0.5)]).sites.first).figures
        #expect(s.scope2Market == 95)  // (240 − 50) × 0.5
        #expect(s.scope2MarketHourly == 120)  // 240 × 0.5
        #expect(s.cfeKWh == 0)
    }

    @Test func anHourlyResidualFactorChangingHourByHour() throws {
        // Residual 0.2 kg/kWh in hours 0–11 and 0.8 in hours 12–23 (two factors with their own
        // validity); certificates 10 kWh at hours 10, 11, 12 (each hour fully covered).
        let factors = [
            Self.factor("electricity", 0.5),
            Self.factor("residual_electricity", 0.2, from: Self.hour(0), to: Self.hour(12), id: "res.am"),
            Self.factor("residual_electricity", 0.8, from: Self.hour(12), to: Self.month.end, id: "res.pm"),
        ]
        let site = SiteMonthInput(site: Self.site, gridElectricityKWh: Self.flatDay, certificatesKWh: 30, certificatesHourly: Self.solar(10))
        let s = try #require(Self.calculate(site, factors: factors).sites.first).figures
        // Hourly: morning uncovered 10 hours × 10 kWh × 0.2 = 20; afternoon 11 hours × 10 × 0.8 = 88.
        #expect(abs(s.scope2MarketHourly - 108) < 1e-9)
        // Monthly: r̄ = (120 × 0.2 + 120 × 0.8) / 240 = 0.5; (240 − 30) × 0.5 = 105.
        #expect(abs(s.scope2Market - 105) < 1e-9)
        // The hours of the hourly method add up to its monthly figure.
        let input = RegionMonthInput(region: "r1", month: Self.month, sites: [site], factors: FactorResolver(factors))
        let result = AccountingEngine.calculate(input)
        let series = try #require(HourlyBreakdown.series(input, result: result).first { $0.layer == "site" && $0.part == "total" })
        #expect(abs(series.scope2MarketHourly.reduce(0, +) - 108) < 1e-9)
        #expect(series.scope2MarketHourly[12] == 0 && abs(series.scope2MarketHourly[13] - 8) < 1e-12)
        #expect(series.cfeKWh.reduce(0, +) == 30 && series.cfeKWh[10] == 10)
    }

    @Test func onSiteRenewablesAreCarbonFree() throws {
        let site = SiteMonthInput(site: Self.site, gridElectricityKWh: Self.flatDay, onsiteRenewableKWh: 60, certificatesHourly: Self.solar(5))
        let s = try #require(Self.calculate(site, factors: [Self.factor("electricity", 0.5)]).sites.first).figures
        #expect(s.cfeKWh == 75)  // 60 + 3 × 5
        #expect(s.cfeShare == 75.0 / 300)
    }

    @Test func noEnergyMeansACarbonFreeShareOfZero() {
        #expect(EmissionFigures.zero.cfeShare == 0)
        #expect(EmissionFigures(cfeKWh: 0).cfeShare == 0)
    }

    @Test func theNewFiguresAreConservedThroughProductsAndTenants() throws {
        let site = SiteMonthInput(
            site: Self.site, gridElectricityKWh: Self.flatDay, onsiteRenewableKWh: 12, certificatesKWh: 120,
            certificatesHourly: Self.solar(40), productITKWh: ["A": 30, "B": 10])
        let result = Self.calculate(site, factors: [Self.factor("electricity", 0.5)], usage: ["A": ["t1": 1, "t2": 3], "B": ["t3": 2]])
        let s = try #require(result.sites.first)
        // w(A) = 0.75, w(B) = 0.25 of 105 kg and of 30 + 12 = 42 kWh carbon-free.
        let a = try #require(result.productSites.first { $0.product == "A" }).figures
        #expect(abs(a.scope2MarketHourly - 78.75) < 1e-9 && abs(a.cfeKWh - 31.5) < 1e-9)
        var products = s.unallocated
        for cell in result.productSites { products += cell.figures }
        #expect(abs(products.scope2MarketHourly - s.figures.scope2MarketHourly) < 1e-9)
        #expect(abs(products.cfeKWh - s.figures.cfeKWh) < 1e-9)
        for product in result.productRegions {
            var tenants = product.unallocated
            for tenant in result.tenants where tenant.product == product.product { tenants += tenant.figures }
            #expect(abs(tenants.scope2MarketHourly - product.figures.scope2MarketHourly) < 1e-9)
            #expect(abs(tenants.cfeKWh - product.figures.cfeKWh) < 1e-9)
        }
        // t2 holds 3/4 of A: 59.0625 kg, 23.625 kWh carbon-free; its share of energy equals the site's.
        let t2 = try #require(result.tenants.first { $0.tenant == "t2" }).figures
        #expect(abs(t2.scope2MarketHourly - 59.0625) < 1e-9 && abs(t2.cfeKWh - 23.625) < 1e-9)
        #expect(abs(t2.cfeShare - s.figures.cfeShare) < 1e-12)
    }

    @Test func aCertificateOfAnotherGridIsNotAppliedHourByHour() throws {
        // The same certificates produced in grid G (the site's) and in grid H.
        func input(boundary: MarketBoundary, grid: String) -> SiteMonthInput? {
            var accumulator = RegionMonthAccumulator()
            for entry in Self.flatDay {
                accumulator.add(kind: .facilityElectricity, site: "s1", product: "", tenant: "", substance: "", bucket: entry.hour, amount: 10_000_000)
            }
            for entry in Self.solar(40) {
                accumulator.add(kind: .facilityCertificate, site: "s1", product: "", tenant: "", substance: grid, bucket: entry.hour, amount: 40_000_000)
            }
            return accumulator.input(
                region: "r1", month: Self.month, sites: ["s1": Self.site], products: [:], factors: FactorResolver([]), marketBoundary: boundary
            ).sites.first
        }
        let own = try #require(input(boundary: .hourlyOnly, grid: "G"))
        #expect(own.certificatesKWh == 120 && own.certificatesHourly.count == 3 && own.outOfBoundaryCertificatesKWh == 0)
        let unnamed = try #require(input(boundary: .hourlyOnly, grid: ""))
        #expect(unnamed.certificatesKWh == 120 && unnamed.certificatesHourly.count == 3)
        let foreign = try #require(input(boundary: .hourlyOnly, grid: "H"))
        #expect(foreign.certificatesKWh == 120 && foreign.certificatesHourly.isEmpty && foreign.outOfBoundaryCertificatesKWh == 120)
        let enforced = try #require(input(boundary: .both, grid: "H"))
        #expect(enforced.certificatesKWh == 0 && enforced.certificatesHourly.isEmpty && enforced.outOfBoundaryCertificatesKWh == 120)

        let s = try #require(Self.calculate(foreign, factors: [Self.factor("electricity", 0.5)]).sites.first).figures
        #expect(s.scope2Market == 60 && s.scope2MarketHourly == 120 && s.cfeKWh == 0)
    }
}

import Foundation
import Testing

@testable import CarbonModel

/// The shipped factor library: the reference numbers, their validity, and how a site on a
/// Chinese grid is calculated with defaults alone.
struct DefaultFactorLibraryTests {
    static func instant(_ y: Int, _ m: Int, _ d: Int) -> Int64 { CalendarMonth.daysFromCivil(y, m, d) * 86_400 }
    let resolver = FactorResolver(DefaultFactorLibrary.factors())

    @Test func chinaNationalAndResidualPerDataYear() {
        // refdata/china_grid/mee_nbs_electricity_co2_factors_national.csv
        for (year, average, residual) in [(2021, 0.5568, 0.5942), (2022, 0.5366, 0.5856), (2023, 0.5306, 0.6096)] {
            let mid = Self.instant(year, 6, 1)
            #expect(resolver.factor(activity: "electricity", region: "CN", at: mid)?.value == average)
            #expect(resolver.factor(activity: "residual_electricity", region: "CN", at: mid)?.value == residual)
            #expect(resolver.factor(activity: "electricity", region: "CN", at: mid)?.version == "mee-nbs-\(year)")
        }
        // Valid for its data year only: 2024 has no default.
        #expect(resolver.factor(activity: "electricity", region: "CN", at: Self.instant(2024, 1, 1)) == nil)
        #expect(resolver.factor(activity: "electricity", region: "CN", at: Self.instant(2023, 12, 31))?.factor == "cn.mee.grid.CN.2023")
    }

    @Test func chinaRegionalGrids() {
        // refdata/china_grid/mee_nbs_electricity_co2_factors_regional.csv
        #expect(resolver.factor(activity: "electricity", region: "CN-North", at: Self.instant(2023, 3, 1))?.value == 0.6361)
        #expect(resolver.factor(activity: "electricity", region: "CN-Southwest", at: Self.instant(2021, 3, 1))?.value == 0.2113)
        #expect(resolver.factor(activity: "electricity", region: "CN-South", at: Self.instant(2022, 3, 1))?.value == 0.3869)
        // No regional residual mix is published.
        #expect(resolver.factor(activity: "residual_electricity", region: "CN-North", at: Self.instant(2023, 3, 1)) == nil)
    }

    @Test func gwpSetsAndDiesel() {
        let at = Self.instant(2024, 1, 1)
        #expect(resolver.factor(activity: "HFC-134a", region: "CN", at: at)?.value == 1530)
        #expect(resolver.factor(activity: "R-410A", region: nil, at: at)?.value == 2255.5)
        let ar5 = FactorResolver(DefaultFactorLibrary.factors(gwpSet: .ar5))
        #expect(ar5.factor(activity: "HFC-134a", region: "CN", at: at)?.value == 1300)
        #expect(ar5.factor(activity: "HFC-134a", region: "CN", at: at)?.factor == "ipcc.gwp100.AR5.HFC-134a")
        // 10.21 kg/gal ÷ 3.785411784 L/gal = 2.69720… kg/L
        let diesel = resolver.factor(activity: "diesel", region: "CN", at: at)?.value ?? 0
        #expect(abs(diesel - 2.6972) < 1e-4)
    }

    @Test func everyDefaultIsMarkedAndSourced() {
        for factor in DefaultFactorLibrary.factors() {
            #expect(factor.origin == .providerDefault)
            #expect(!factor.source.isEmpty && !factor.version.isEmpty && factor.validTo > factor.validFrom)
        }
        let ids = DefaultFactorLibrary.factors().map(\.factor)
        #expect(Set(ids).count == ids.count, "factor ids are unique")
    }

    @Test func siteOnTheChineseGridWithDefaultsOnly() throws {
        let month = CalendarMonth(year: 2022, month: 6)
        let site = SiteMonthInput(
            site: SiteDeclaration(site: "bj-1", region: "cn-north", grid: "CN"),
            gridElectricityKWh: [HourlyAmount(hour: month.start, amount: 1000)], certificatesKWh: 400,
            refrigerants: ["HFC-134a": [HourlyAmount(hour: month.start, amount: 2)]])
        let result = AccountingEngine.calculate(
            RegionMonthInput(region: "cn-north", month: month, sites: [site], factors: resolver))
        let figures = try #require(result.sites.first?.figures)
        // location: 1000 kWh × 0.5366 = 536.6; market: (1000 − 400) × 0.5856 = 351.36
        // scope 1: 2 kg HFC-134a × 1530 (AR6) = 3060
        #expect(abs(figures.scope2Location - 536.6) < 1e-9)
        #expect(abs(figures.scope2Market - 351.36) < 1e-9)
        #expect(figures.scope1 == 3060)
    }
}

import Foundation
import Testing

@testable import CarbonModel

/// The data-quality pass where a region-month's input is built (``RegionMonthAccumulator``),
/// and how the quality shares travel through the three layers (``AccountingEngine``), against
/// hand-computed cases.
struct QualityPropagationTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    static let site = SiteDeclaration(site: "s1", region: "r1", grid: "G")
    static let grid05 = EmissionFactor(
        factor: "grid.G", activity: "electricity", region: "G", unit: "kgCO2e/kWh", value: 0.5,
        validFrom: month.start, validTo: month.end, source: "test", version: "1")

    static func hour(_ i: Int) -> Int64 { month.start + Int64(i) * 3600 }

    /// An accumulator with the grid readings (kWh, by hour index; nil = no reading) of s1.
    static func accumulator(grid: [Double?], it: [String: Double] = [:], embodied: [String: Double] = [:]) -> RegionMonthAccumulator {
        var accumulator = RegionMonthAccumulator()
        for (i, value) in grid.enumerated() {
            guard let value else { continue }
            accumulator.add(
                kind: .facilityElectricity, site: "s1", product: "", tenant: "", substance: "", bucket: hour(i),
                amount: Int64((value * 1_000_000).rounded()))
        }
        for (product, kwh) in it {
            accumulator.add(
                kind: .productITElectricity, site: "s1", product: product, tenant: "", substance: "", bucket: hour(0),
                amount: Int64(kwh * 1_000_000))
        }
        for (product, kg) in embodied {
            accumulator.add(
                kind: .hardwareEmbodied, site: "s1", product: product, tenant: "", substance: "", bucket: hour(0), amount: Int64(kg * 1_000_000))
        }
        return accumulator
    }

    static func close(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) < 1e-9 }

    @Test func gapIsFilledWhereTheInputIsBuiltAndItsShareTravelsToEveryLayer() throws {
        // Readings 10, 20, –, –, 50 kWh: h2 = 20 + (50 − 20) × 1/3 = 30, h3 = 20 + 30 × 2/3 = 40.
        // No outlier: median 20, MAD median(10, 0, 30) = 10, z(50) = 30 / 14.826 = 2.02 < 3.5.
        let input = Self.accumulator(grid: [10, 20, nil, nil, 50], it: ["p1": 3, "p2": 1], embodied: ["p1": 5]).input(
            region: "r1", month: Self.month, sites: ["s1": Self.site], products: [:], factors: FactorResolver([Self.grid05]))
        let site = try #require(input.sites.first)
        #expect(site.gridElectricityKWh.map(\.amount) == [10, 20, 30, 40, 50])
        #expect(site.gridQuality == [Self.hour(2): .filled, Self.hour(3): .filled])

        var withUsage = input
        withUsage.usage = ["p1": ["A": 1, "B": 3]]
        let result = AccountingEngine.calculate(withUsage)
        // Site: location = (10 + 20 + 30 + 40 + 50) × 0.5 = 75; scope 3 = 5 (embodied of p1);
        // total 80, of which filled (30 + 40) × 0.5 = 35 → filled 35/80, measured 45/80.
        let s = try #require(result.sites.first)
        #expect(Self.close(s.figures.scope2Location, 75))
        #expect(Self.close(s.quality?.filled, 35.0 / 80) && Self.close(s.quality?.measured, 45.0 / 80))
        #expect(s.quality?.flagged == 0 && s.quality?.estimated == 0)
        // Layer 2, w(p1) = 3/4, w(p2) = 1/4 of the shared 75 (the embodied 5 goes to p1 only):
        // p1 = 56.25 + 5 = 61.25 with filled 35 × 3/4 = 26.25 → 26.25 / 61.25 = 0.428571…;
        // p2 = 18.75 with filled 8.75 → 8.75 / 18.75 = 0.466666….
        let p1 = try #require(result.productSites.first { $0.product == "p1" })
        let p2 = try #require(result.productSites.first { $0.product == "p2" })
        #expect(Self.close(p1.figures.totalLocation, 61.25) && Self.close(p1.quality?.filled, 26.25 / 61.25))
        #expect(Self.close(p2.quality?.filled, 8.75 / 18.75))
        // One site: the product-region cell has the product-site's shares; tenants take the
        // same share of every part, so A (1/4) and B (3/4) have p1's shares too.
        let product = try #require(result.productRegions.first { $0.product == "p1" })
        #expect(Self.close(product.quality?.filled, 26.25 / 61.25))
        #expect(result.tenants.count == 2)
        for tenant in result.tenants {
            #expect(Self.close(tenant.quality?.filled, 26.25 / 61.25))
            #expect(Self.close(tenant.quality?.measured, 35 / 61.25))
        }
    }

    @Test func injectedSpikeIsFlaggedKeptAndReported() throws {
        // Hours 0–10 read 10 kWh except hour 5 = 100. Window median 10, MAD 0 → floored at
        // 0.01 × 10 = 0.1; z(100) = 90 / (1.4826 × 0.1) = 607 > 3.5: flagged. Kept at 100:
        // location = (10 × 10 + 100) × 0.5 = 100, of which flagged 100 × 0.5 = 50 → 0.5.
        var grid: [Double?] = Array(repeating: 10, count: 11)
        grid[5] = 100
        let input = Self.accumulator(grid: grid, it: ["p1": 1]).input(
            region: "r1", month: Self.month, sites: ["s1": Self.site], products: [:], factors: FactorResolver([Self.grid05]))
        let site = try #require(input.sites.first)
        #expect(site.gridQuality == [Self.hour(5): .flagged])
        let result = AccountingEngine.calculate(input)
        let s = try #require(result.sites.first)
        #expect(Self.close(s.figures.scope2Location, 100))
        #expect(Self.close(s.quality?.flagged, 0.5) && Self.close(s.quality?.measured, 0.5))
        #expect(Self.close(result.productSites.first?.quality?.flagged, 0.5))

        // A threshold above 607 lets it through; a max gap of 0 fills nothing.
        let lenient = DataQualitySettings(outliers: OutlierPolicy(threshold: 1000, halfWindow: 12), maxGapHours: 0)
        let relaxed = Self.accumulator(grid: grid + [nil, 10], it: ["p1": 1]).input(
            region: "r1", month: Self.month, sites: ["s1": Self.site], products: [:], factors: FactorResolver([Self.grid05]), quality: lenient)
        #expect(relaxed.sites.first?.gridQuality == [:])
        #expect(relaxed.sites.first?.gridElectricityKWh.count == 12)
    }

    @Test func meterRoundingIsNotAnOutlier() {
        // 1 MWh over 744 hours in integer µkWh: hours of 1344086 and 1344087 µkWh. With MAD 0
        // and no floor the odd ones would be "infinitely" far; the floor (0.01 × 1.344 kWh) keeps
        // z at 1e-6 / (1.4826 × 0.01344) ≈ 5e-5.
        let values = (0..<744).map { Double(1_344_086 + ($0 % 7 == 0 ? 1 : 0)) / 1_000_000 }
        #expect(OutlierDetector.flags(values).allSatisfy { !$0 })
    }

    @Test func estimatesAreAllEstimatedAndOldPublicationsDecodeWithoutShares() throws {
        // A tenant cell without a "quality" key (a publication from before data quality) decodes.
        let old = #"{"tenant":"A","product":"p","region":"r1","month":"2024-01","usage":1,"share":1,"figures":{"scope1":0,"scope2_location":2,"scope2_market":2,"scope3":0,"energy_kwh":4}}"#
        let decoded = try JSONDecoder().decode(TenantResult.self, from: Data(old.utf8))
        #expect(decoded.quality == nil && decoded.mode == .measured)
        let site = #"{"site":"s1","region":"r1","month":"2024-01","figures":{"scope1":0,"scope2_location":2,"scope2_market":2,"scope3":0,"energy_kwh":4},"unallocated":{"scope1":0,"scope2_location":0,"scope2_market":0,"scope3":0,"energy_kwh":0},"it_kwh":0,"factors_used":[]}"#
        #expect(try JSONDecoder().decode(SiteResult.self, from: Data(site.utf8)).quality == nil)
        // And the shares survive a round trip.
        var cell = decoded
        cell.quality = QualityShares(measured: 0.5, filled: 0.25, flagged: 0.25, estimated: 0)
        let again = try JSONDecoder().decode(TenantResult.self, from: JSONEncoder().encode(cell))
        #expect(again.quality == cell.quality)
        #expect(QualityAmounts(measured: 0, filled: 0, flagged: 0, estimated: 3).shares == .allEstimated)
    }
}

import Foundation
import Testing

@testable import CarbonModel

/// Hand-computed cases of measured mode (docs/model.md §7–§14), plus conservation on a randomized input.
struct AccountingEngineTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    static let site1 = SiteDeclaration(site: "s1", region: "r1", grid: "G")
    static let site2 = SiteDeclaration(site: "s2", region: "r1", grid: "G")

    /// Epoch start of hour `i` of the test month.
    static func hour(_ i: Int) -> Int64 { month.start + Int64(i) * 3600 }

    static func factor(
        _ id: String, _ activity: String, _ region: String?, _ value: Double,
        from: Int64 = month.start, to: Int64 = month.end, version: String = "1", unit: String? = nil
    ) -> EmissionFactor {
        // Per what the activity is measured in: electricity per kWh, fuel per litre, gases per kg.
        let defaultUnit = activity.contains("electricity") ? "kgCO2e/kWh" : activity == "diesel" ? "kgCO2e/L" : "kgCO2e/kg"
        return EmissionFactor(
            factor: id, activity: activity, region: region, unit: unit ?? defaultUnit, value: value,
            validFrom: from, validTo: to, source: "test", version: version)
    }

    static func hours(_ amounts: [Double], from first: Int = 0) -> [HourlyAmount] {
        amounts.enumerated().map { HourlyAmount(hour: hour(first + $0.offset), amount: $0.element) }
    }

    static func input(
        sites: [SiteMonthInput], factors: [EmissionFactor],
        products: [ProductDeclaration] = [], usage: [String: [String: Double]] = [:]
    ) -> RegionMonthInput {
        RegionMonthInput(
            region: "r1", month: month, sites: sites,
            products: Dictionary(uniqueKeysWithValues: products.map { ($0.product, $0) }),
            usage: usage, factors: FactorResolver(factors))
    }

    static let grid05 = factor("grid.G", "electricity", "G", 0.5)

    // MARK: - Layers 1–3 end to end

    @Test func simpleSiteWithTwoProductsAndThreeTenants() throws {
        let site = SiteMonthInput(
            site: Self.site1, gridElectricityKWh: Self.hours([100, 100]), onsiteRenewableKWh: 50,
            productITKWh: ["A": 60, "B": 40])
        let result = AccountingEngine.calculate(
            Self.input(
                sites: [site], factors: [Self.grid05],
                usage: ["A": ["t1": 3, "t2": 1], "B": ["t2": 2, "t3": 8, "t4": 0]]))

        let s = try #require(result.sites.first)
        // location = 200 kWh × 0.5 = 100; market falls back to the grid factor: 200 × 0.5 = 100
        // energy = 200 grid + 50 renewable = 250; no certificates, so the hourly method gives the
        // monthly figure (100) and the carbon-free energy is the renewable 50
        #expect(s.figures == EmissionFigures(scope2Location: 100, scope2Market: 100, energyKWh: 250, scope2MarketHourly: 100, cfeKWh: 50))
        #expect(s.unallocated == .zero)
        // IT = Σ product IT = 60 + 40 = 100 (no facility IT meter); PUE = 250 / 100 = 2.5
        #expect(s.itKWh == 100)
        #expect(s.pue == 2.5)
        #expect(s.factorsUsed == [FactorReference(factor: "grid.G", version: "1", value: 0.5)])

        // w(A) = 60/100 = 0.6 → 60 kg L, 60 kg M, 150 kWh; w(B) = 0.4 → 40, 40, 100
        #expect(result.productSites.map(\.product) == ["A", "B"])
        expectClose(result.productSites[0].figures, EmissionFigures(scope2Location: 60, scope2Market: 60, energyKWh: 150))
        expectClose(result.productSites[1].figures, EmissionFigures(scope2Location: 40, scope2Market: 40, energyKWh: 100))

        // A: U = 3 + 1 = 4; B: U = 2 + 8 = 10 (t4's zero usage is no use)
        let a = try #require(result.productRegions.first { $0.product == "A" })
        #expect(a.usage == 4 && a.denominator == 4 && a.basis == .usage)
        #expect(a.unallocated == .zero)
        let b = try #require(result.productRegions.first { $0.product == "B" })
        #expect(b.usage == 10 && b.denominator == 10)

        #expect(result.tenants.map { "\($0.tenant)/\($0.product)" } == ["t1/A", "t2/A", "t2/B", "t3/B"])
        // t1/A: 3/4 = 0.75 → 0.75 × 60 = 45 kg, 0.75 × 150 = 112.5 kWh
        // t2/A: 1/4 = 0.25 → 15 kg, 37.5 kWh
        // t2/B: 2/10 = 0.2 → 0.2 × 40 = 8 kg, 0.2 × 100 = 20 kWh
        // t3/B: 8/10 = 0.8 → 32 kg, 80 kWh
        let expected: [(Double, Double, Double)] = [(0.75, 45, 112.5), (0.25, 15, 37.5), (0.2, 8, 20), (0.8, 32, 80)]
        for (row, (share, kg, kWh)) in zip(result.tenants, expected) {
            #expect(approxEqual(row.share, share))
            expectClose(row.figures, EmissionFigures(scope2Location: kg, scope2Market: kg, energyKWh: kWh))
        }
        #expect(result.missingFactors.isEmpty)
    }

    // MARK: - Layer 1: scope 2

    @Test func factorChangingMidMonthAppliesHourByHour() throws {
        let factors = [
            Self.factor("grid.G.h0", "electricity", "G", 0.5, from: Self.hour(0), to: Self.hour(1)),
            Self.factor("grid.G.h1", "electricity", "G", 0.7, from: Self.hour(1), to: Self.hour(2)),
        ]
        let site = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([100, 200]))
        let s = try #require(AccountingEngine.calculate(Self.input(sites: [site], factors: factors)).sites.first)
        // location = 100 × 0.5 + 200 × 0.7 = 50 + 140 = 190
        #expect(approxEqual(s.figures.scope2Location, 190))
        // market, no residual: r(h) = grid factor; EF = 190 / 300; 300 × 190/300 = 190
        #expect(approxEqual(s.figures.scope2Market, 190))
        #expect(s.factorsUsed.map(\.factor) == ["grid.G.h0", "grid.G.h1"])
    }

    @Test func residualFactorIsUsedForMarketBased() throws {
        let factors = [Self.grid05, Self.factor("resid.G", "residual_electricity", "G", 0.8)]
        let site = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([100, 100]), certificatesKWh: 50)
        let s = try #require(AccountingEngine.calculate(Self.input(sites: [site], factors: factors)).sites.first)
        // location = 200 × 0.5 = 100
        #expect(approxEqual(s.figures.scope2Location, 100))
        // market = (200 − 50) × 0.8 = 120
        #expect(approxEqual(s.figures.scope2Market, 120))
        #expect(s.factorsUsed.map(\.factor) == ["grid.G", "resid.G"])
    }

    @Test func marketBasedFallsBackToGridFactorWithoutResidual() throws {
        let site = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([100, 100]), certificatesKWh: 50)
        let s = try #require(AccountingEngine.calculate(Self.input(sites: [site], factors: [Self.grid05])).sites.first)
        // market = (200 − 50) × 0.5 = 75
        #expect(approxEqual(s.figures.scope2Market, 75))
        #expect(approxEqual(s.figures.scope2Location, 100))
    }

    @Test func residualChangingMidMonthIsConsumptionWeighted() throws {
        let factors = [
            Self.grid05,
            Self.factor("resid.G.a", "residual_electricity", "G", 0.6, from: Self.hour(0), to: Self.hour(1)),
            Self.factor("resid.G.b", "residual_electricity", "G", 0.9, from: Self.hour(1)),
        ]
        let site = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([100, 300]), certificatesKWh: 200)
        let s = try #require(AccountingEngine.calculate(Self.input(sites: [site], factors: factors)).sites.first)
        // EF_res = (100 × 0.6 + 300 × 0.9) / 400 = (60 + 270) / 400 = 0.825
        // market = (400 − 200) × 0.825 = 165
        #expect(approxEqual(s.figures.scope2Market, 165))
        // location = 400 × 0.5 = 200
        #expect(approxEqual(s.figures.scope2Location, 200))
    }

    @Test func residualFallsBackPerHour() throws {
        // The residual factor only covers hour 1; hour 0 falls back to the grid factor.
        let factors = [
            Self.grid05,
            Self.factor("resid.G.b", "residual_electricity", "G", 0.9, from: Self.hour(1)),
        ]
        let site = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([100, 300]), certificatesKWh: 200)
        let s = try #require(AccountingEngine.calculate(Self.input(sites: [site], factors: factors)).sites.first)
        // EF_res = (100 × 0.5 + 300 × 0.9) / 400 = (50 + 270) / 400 = 0.8; market = 200 × 0.8 = 160
        #expect(approxEqual(s.figures.scope2Market, 160))
    }

    @Test func certificatesBeyondConsumptionAreNotCarriedOver() throws {
        let factors = [Self.grid05, Self.factor("resid.G", "residual_electricity", "G", 0.8, to: Self.month.next.end)]
        let january = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([100]), certificatesKWh: 500)
        let jan = try #require(AccountingEngine.calculate(Self.input(sites: [january], factors: factors)).sites.first)
        // market = max(0, 100 − 500) × 0.8 = 0, never negative
        #expect(jan.figures.scope2Market == 0)
        // location is unaffected by certificates: 100 × 0.5 = 50
        #expect(approxEqual(jan.figures.scope2Location, 50))

        // February has no certificates of its own: the 400 kWh January surplus does not help.
        let febStart = Self.month.next.start
        let february = SiteMonthInput(
            site: Self.site1, gridElectricityKWh: [HourlyAmount(hour: febStart, amount: 100)])
        let feb = AccountingEngine.calculate(
            RegionMonthInput(
                region: "r1", month: Self.month.next, sites: [february], factors: FactorResolver(factors)))
        // February market = 100 × 0.8 = 80
        #expect(approxEqual(try #require(feb.sites.first).figures.scope2Market, 80))
    }

    // MARK: - Layer 1: scope 1

    @Test func aFuelFactorPerKilogramIsNotAppliedToLitres() throws {
        let factors = [Self.factor("diesel.kg", "diesel", "G", 3.2, unit: "kgCO2e/kg")]
        let site = SiteMonthInput(
            site: Self.site1, fuels: ["diesel": [HourlyAmount(hour: Self.hour(0), amount: 10)]], productITKWh: ["A": 1])
        let result = AccountingEngine.calculate(Self.input(sites: [site], factors: factors))
        // 10 L × (kg CO2e per kg) would be a wrong number; the hour is reported as missing instead.
        #expect(try #require(result.sites.first).figures.scope1 == 0)
        #expect(result.missingFactors.map(\.activity) == ["diesel"])
    }

    @Test func fuelAndRefrigerantWithGlobalGWP() throws {
        let factors = [
            Self.factor("diesel.G", "diesel", "G", 2.7),
            Self.factor("gwp.HFC-134a", "HFC-134a", nil, 1430, version: "AR5"),
        ]
        let site = SiteMonthInput(
            site: Self.site1,
            fuels: ["diesel": [HourlyAmount(hour: Self.hour(0), amount: 10), HourlyAmount(hour: Self.hour(5), amount: 20)]],
            refrigerants: ["HFC-134a": [HourlyAmount(hour: Self.hour(3), amount: 0.5)]],
            productITKWh: ["A": 1])
        let result = AccountingEngine.calculate(Self.input(sites: [site], factors: factors))
        let s = try #require(result.sites.first)
        // diesel = (10 + 20) L × 2.7 = 81; HFC-134a = 0.5 kg × 1430 = 715; scope 1 = 796
        #expect(approxEqual(s.figures.scope1, 796))
        #expect(s.figures.scope2Location == 0 && s.figures.energyKWh == 0)
        #expect(s.factorsUsed.map(\.factor) == ["diesel.G", "gwp.HFC-134a"])
        // The only product with IT energy carries all of it.
        #expect(approxEqual(try #require(result.productSites.first).figures.scope1, 796))
        #expect(result.missingFactors.isEmpty)
    }

    @Test func missingFactorIsReportedAndContributesNothing() throws {
        let factors = [Self.factor("grid.G", "electricity", "G", 0.5, from: Self.hour(0), to: Self.hour(2))]
        let site = SiteMonthInput(
            site: Self.site1, gridElectricityKWh: Self.hours([10, 10, 10, 10]),
            fuels: ["petrol": [HourlyAmount(hour: Self.hour(0), amount: 5)]])
        let result = AccountingEngine.calculate(Self.input(sites: [site], factors: factors))
        let s = try #require(result.sites.first)
        // location = 2 hours × 10 × 0.5 = 10; hours 2 and 3 have no factor
        #expect(approxEqual(s.figures.scope2Location, 10))
        // market: r = 0 for hours without any factor: EF = 10 / 40 = 0.25; 40 × 0.25 = 10
        #expect(approxEqual(s.figures.scope2Market, 10))
        #expect(s.figures.scope1 == 0)
        // energy still counts every kWh: 40
        #expect(s.figures.energyKWh == 40)
        #expect(result.missingFactors == [
            MissingFactor(activity: "electricity", region: "G", hours: 2, amount: 20),
            MissingFactor(activity: "petrol", region: "G", hours: 1, amount: 5),
        ])
    }

    // MARK: - Layer 2

    @Test func siteWithoutITEnergyStaysUnallocated() throws {
        let site = SiteMonthInput(
            site: Self.site1, gridElectricityKWh: Self.hours([100]),
            embodiedByProduct: ["A": 30], embodiedUnassigned: 20)
        let result = AccountingEngine.calculate(
            Self.input(sites: [site], factors: [Self.grid05], usage: ["A": ["t1": 5]]))
        let s = try #require(result.sites.first)
        // E(s): location = market = 100 × 0.5 = 50; scope 3 = 30 + 20 = 50; energy 100
        #expect(s.figures == EmissionFigures(scope2Location: 50, scope2Market: 50, scope3: 50, energyKWh: 100, scope2MarketHourly: 50))
        // Unallocated: all of scope 2 and energy, plus only the unassigned embodied 20
        #expect(s.unallocated == EmissionFigures(scope2Location: 50, scope2Market: 50, scope3: 20, energyKWh: 100, scope2MarketHourly: 50))
        #expect(s.pue == nil)
        // Product-registered embodied still reaches the product ...
        #expect(result.productSites == [
            ProductSiteResult(product: "A", site: "s1", region: "r1", month: Self.month, figures: EmissionFigures(scope3: 30), quality: .allMeasured)
        ])
        // ... and its tenant (share 5/5 = 1 → 30).
        #expect(result.tenants.map(\.figures) == [EmissionFigures(scope3: 30)])
    }

    @Test func unassignedEmbodiedIsSplitByITWeight() throws {
        let site = SiteMonthInput(
            site: Self.site1, facilityITKWh: 80, productITKWh: ["A": 75, "B": 25],
            embodiedByProduct: ["B": 10, "C": 5], embodiedUnassigned: 40)
        let result = AccountingEngine.calculate(Self.input(sites: [site], factors: []))
        // w(A) = 75/100 = 0.75 → 0.75 × 40 = 30
        // w(B) = 0.25 → 0.25 × 40 + 10 registered = 20
        // C has no IT energy but its own 5 registered
        #expect(result.productSites.map(\.product) == ["A", "B", "C"])
        #expect(result.productSites.map(\.figures.scope3) == [30, 20, 5])
        let s = try #require(result.sites.first)
        // site scope 3 = 40 + 10 + 5 = 55 = 30 + 20 + 5
        #expect(s.figures.scope3 == 55)
        #expect(s.unallocated == .zero)
        // The facility IT meter (80) takes precedence over Σ product IT (100) for PUE;
        // no electricity → PUE = 0 / 80 = 0
        #expect(s.itKWh == 80 && s.pue == 0)
        // No usage at all: each product keeps everything as unallocated.
        #expect(result.productRegions.allSatisfy { $0.unallocated == $0.figures && $0.denominator == 0 })
    }

    // MARK: - Layer 3

    @Test func capacityBasisLeavesIdleCapacityUnallocated() throws {
        let sites = [
            SiteMonthInput(
                site: Self.site1, gridElectricityKWh: Self.hours([300]),
                productITKWh: ["A": 1], productCapacity: ["A": 60]),
            SiteMonthInput(
                site: Self.site2, gridElectricityKWh: Self.hours([100]),
                productITKWh: ["A": 1], productCapacity: ["A": 40]),
        ]
        let result = AccountingEngine.calculate(
            Self.input(
                sites: sites, factors: [Self.grid05],
                products: [ProductDeclaration(product: "A", unit: "vCPU-h", basis: .capacity)],
                usage: ["A": ["t1": 20, "t2": 30]]))
        let a = try #require(result.productRegions.first)
        // E(A,r) = 300 × 0.5 + 100 × 0.5 = 150 + 50 = 200 kg; energy 400 kWh
        expectClose(a.figures, EmissionFigures(scope2Location: 200, scope2Market: 200, energyKWh: 400))
        // C = 60 + 40 = 100; U = 20 + 30 = 50; D = max(100, 50) = 100
        #expect(a.capacity == 100 && a.usage == 50 && a.denominator == 100)
        // idle = (100 − 50) / 100 = 0.5 → 100 kg, 200 kWh unallocated
        expectClose(a.unallocated, EmissionFigures(scope2Location: 100, scope2Market: 100, energyKWh: 200))
        // t1: 20/100 = 0.2 → 40 kg, 80 kWh; t2: 0.3 → 60 kg, 120 kWh
        #expect(result.tenants.map(\.share) == [0.2, 0.3])
        expectClose(result.tenants[0].figures, EmissionFigures(scope2Location: 40, scope2Market: 40, energyKWh: 80))
        expectClose(result.tenants[1].figures, EmissionFigures(scope2Location: 60, scope2Market: 60, energyKWh: 120))
    }

    @Test func capacityBasisWithUsageAboveCapacityUsesUsage() throws {
        let site = SiteMonthInput(
            site: Self.site1, gridElectricityKWh: Self.hours([200]),
            productITKWh: ["A": 1], productCapacity: ["A": 40])
        let result = AccountingEngine.calculate(
            Self.input(
                sites: [site], factors: [Self.grid05],
                products: [ProductDeclaration(product: "A", unit: "vCPU-h", basis: .capacity)],
                usage: ["A": ["t1": 30, "t2": 30]]))
        let a = try #require(result.productRegions.first)
        // C = 40 < U = 60 → D = 60; shares 30/60 = 0.5 each → 0.5 × 100 kg = 50 kg each
        #expect(a.denominator == 60)
        #expect(a.unallocated == .zero)
        #expect(result.tenants.map(\.share) == [0.5, 0.5])
        #expect(result.tenants.map(\.figures.scope2Location) == [50, 50])
    }

    @Test func capacityBasisWithoutCapacityFallsBackToUsage() throws {
        let site = SiteMonthInput(site: Self.site1, gridElectricityKWh: Self.hours([200]), productITKWh: ["A": 1])
        let result = AccountingEngine.calculate(
            Self.input(
                sites: [site], factors: [Self.grid05],
                products: [ProductDeclaration(product: "A", unit: "vCPU-h", basis: .capacity)],
                usage: ["A": ["t1": 10]]))
        let a = try #require(result.productRegions.first)
        // C = 0 → D = U = 10; t1 share = 1 → all 100 kg
        #expect(a.basis == .capacity && a.denominator == 10)
        #expect(result.tenants.map(\.figures.scope2Location) == [100])
    }

    @Test func productWithUsageButNoEmissionsGetsZeroRows() throws {
        let result = AccountingEngine.calculate(
            Self.input(sites: [], factors: [], usage: ["Z": ["t1": 4]]))
        #expect(result.productRegions == [
            ProductRegionResult(
                product: "Z", region: "r1", month: Self.month, basis: .usage, figures: .zero,
                unallocated: .zero, usage: 4, capacity: 0, denominator: 4, quality: .zero)
        ])
        #expect(result.tenants == [
            TenantResult(tenant: "t1", product: "Z", region: "r1", month: Self.month, figures: .zero, usage: 4, share: 1, quality: .zero)
        ])
    }

    // MARK: - Encoding

    @Test func figuresEncodeWithSnakeCaseKeysAndTotals() throws {
        let figures = EmissionFigures(
            scope1: 1, scope2Location: 2, scope2Market: 3, scope3: 4, energyKWh: 5, scope2MarketHourly: 6, cfeKWh: 2, waterL: 9)
        let data = try JSONEncoder().encode(figures)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Double])
        #expect(object == [
            "scope1": 1, "scope2_location": 2, "scope2_market": 3, "scope3": 4, "energy_kwh": 5,
            "total_location": 7,  // 1 + 2 + 4
            "total_market": 8,  // 1 + 3 + 4
            "scope2_market_hourly": 6, "total_market_hourly": 11,  // 1 + 6 + 4
            "cfe_kwh": 2, "cfe_share": 0.4,  // 2 / 5
            "water_l": 9,
        ])
        // Figures written before the hourly method existed read with 0 for it.
        let old = Data(#"{"scope1":1,"scope2_location":2,"scope2_market":3,"scope3":4,"energy_kwh":5}"#.utf8)
        #expect(try JSONDecoder().decode(EmissionFigures.self, from: old) == EmissionFigures(scope1: 1, scope2Location: 2, scope2Market: 3, scope3: 4, energyKWh: 5))
        #expect(try JSONDecoder().decode(EmissionFigures.self, from: data) == figures)
        #expect(figures - figures == .zero)
        #expect(figures + figures == figures.scaled(by: 2))
    }

    @Test func resultRoundTripsThroughJSON() throws {
        let result = AccountingEngine.calculate(randomInput(seed: 7))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(result)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"product_sites\"", "\"product_regions\"", "\"missing_factors\"", "\"factors_used\"", "\"it_kwh\""] {
            #expect(text.contains(key))
        }
        #expect(try JSONDecoder().decode(RegionMonthResult.self, from: data) == result)
    }

    // MARK: - Conservation and determinism

    @Test(arguments: [1, 2, 3, 42, 2024] as [UInt64])
    func conservationHoldsAtEveryLayer(seed: UInt64) throws {
        let input = randomInput(seed: seed)
        let result = AccountingEngine.calculate(input)
        #expect(result.sites.count == input.sites.count)

        // Layer 2: Σ_p E(p,s) + unallocated(s) = E(s)
        for site in result.sites {
            let products = result.productSites.filter { $0.site == site.site }
            let sum = products.reduce(site.unallocated) { $0 + $1.figures }
            expectClose(sum, site.figures)
        }
        // Σ_s E(p,s) = E(p,r)
        for product in result.productRegions {
            let sum = result.productSites.filter { $0.product == product.product }.reduce(EmissionFigures.zero) { $0 + $1.figures }
            expectClose(sum, product.figures)
        }
        // Layer 3: Σ_c E(c,p,r) + unallocated(p,r) = E(p,r)
        for product in result.productRegions {
            let tenants = result.tenants.filter { $0.product == product.product }
            let sum = tenants.reduce(product.unallocated) { $0 + $1.figures }
            expectClose(sum, product.figures)
            #expect(product.unallocated.energyKWh >= -1e-9)
        }
        // Region as a whole: everything emitted is either with a tenant or unallocated somewhere.
        let emitted = result.sites.reduce(EmissionFigures.zero) { $0 + $1.figures }
        let accounted = result.tenants.reduce(EmissionFigures.zero) { $0 + $1.figures }
            + result.productRegions.reduce(EmissionFigures.zero) { $0 + $1.unallocated }
            + result.sites.reduce(EmissionFigures.zero) { $0 + $1.unallocated }
        expectClose(accounted, emitted)

        // Sorted by key strings.
        #expect(result.sites.map(\.site) == result.sites.map(\.site).sorted())
        #expect(result.productSites.map { [$0.product, $0.site] }
            == result.productSites.map { [$0.product, $0.site] }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(result.tenants.map { [$0.tenant, $0.product] }
            == result.tenants.map { [$0.tenant, $0.product] }.sorted { $0.lexicographicallyPrecedes($1) })

        // Same input in another order → bit-identical result.
        var shuffled = input
        var rng = SplitMix64(seed: seed ^ 0xFFFF)
        shuffled.sites.shuffle(using: &rng)
        #expect(AccountingEngine.calculate(shuffled) == result)
    }

    /// A region with several sites, drifting hourly factors (some hours uncovered), random
    /// IT weights (some sites with none), embodied, capacities and 300 tenants.
    private func randomInput(seed: UInt64) -> RegionMonthInput {
        var rng = SplitMix64(seed: seed)
        let hoursInMonth = Int((Self.month.end - Self.month.start) / 3600)
        let products = ["compute", "storage", "db", "net", "gpu"]

        var factors: [EmissionFactor] = []
        for day in 0..<31 where day % 7 != 6 {  // every 7th day uncovered → missing factors
            let from = Self.hour(day * 24), to = Self.hour(day * 24 + 24)
            factors.append(Self.factor("grid.G.d\(day)", "electricity", "G", Double.random(in: 0.3...0.9, using: &rng), from: from, to: to))
            if day % 2 == 0 {
                factors.append(Self.factor("resid.G.d\(day)", "residual_electricity", "G", Double.random(in: 0.5...1.1, using: &rng), from: from, to: to))
            }
        }
        factors.append(Self.factor("diesel.G", "diesel", "G", 2.68))
        factors.append(Self.factor("gwp.R32", "R32", nil, 675))

        var sites: [SiteMonthInput] = []
        for index in 0..<5 {
            var site = SiteMonthInput(site: SiteDeclaration(site: "site-\(index)", region: "r1", grid: "G"))
            site.gridElectricityKWh = (0..<hoursInMonth).map {
                HourlyAmount(hour: Self.hour($0), amount: Double.random(in: 0...1000, using: &rng))
            }
            site.onsiteRenewableKWh = Double.random(in: 0...5000, using: &rng)
            site.certificatesKWh = Double.random(in: 0...400_000, using: &rng)
            site.fuels = ["diesel": (0..<10).map { _ in
                HourlyAmount(hour: Self.hour(Int.random(in: 0..<hoursInMonth, using: &rng)), amount: Double.random(in: 0...50, using: &rng))
            }]
            site.refrigerants = ["R32": [HourlyAmount(hour: Self.hour(3), amount: Double.random(in: 0...2, using: &rng))]]
            if index != 4 {  // site-4 has no IT energy at all
                for product in products where Bool.random(using: &rng) || product == "compute" {
                    site.productITKWh[product] = Double.random(in: 1...100_000, using: &rng)
                }
            }
            for product in products where Bool.random(using: &rng) {
                site.embodiedByProduct[product] = Double.random(in: 0...3000, using: &rng)
                site.productCapacity[product] = Double.random(in: 0...10_000, using: &rng)
            }
            site.embodiedUnassigned = Double.random(in: 0...2000, using: &rng)
            sites.append(site)
        }

        var usage: [String: [String: Double]] = [:]
        for tenant in 0..<300 {
            for product in products where Int.random(in: 0..<3, using: &rng) == 0 {
                usage[product, default: [:]]["tenant-\(tenant)"] = Double.random(in: 0...100, using: &rng)
            }
        }
        usage["orphan"] = ["tenant-1": 3]
        let declarations = products.enumerated().map {
            ProductDeclaration(product: $0.element, unit: "u", basis: $0.offset % 2 == 0 ? .usage : .capacity)
        }
        return Self.input(sites: sites, factors: factors, products: declarations, usage: usage)
    }
}

// MARK: - Helpers

private func approxEqual(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
}

private func expectClose(
    _ actual: EmissionFigures, _ expected: EmissionFigures, sourceLocation: SourceLocation = #_sourceLocation
) {
    let pairs = [
        (actual.scope1, expected.scope1), (actual.scope2Location, expected.scope2Location),
        (actual.scope2Market, expected.scope2Market), (actual.scope3, expected.scope3),
        (actual.energyKWh, expected.energyKWh),
    ]
    #expect(pairs.allSatisfy { approxEqual($0.0, $0.1) }, "\(actual) ≠ \(expected)", sourceLocation: sourceLocation)
}

/// Deterministic generator so randomized tests are reproducible.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Foundation
import Testing

@testable import CarbonModel

/// Estimation mode inside the accounting engine: which usage is estimated, with which shipped
/// coefficients and factors, and that estimates stay apart from measured figures.
struct EstimationModeTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    static func hour(_ i: Int) -> Int64 { month.start + Int64(i) * 3600 }

    static let awsCompute = EstimationProfile(provider: .aws, resource: .compute)

    static func usage(_ tenant: String, _ product: String, _ profile: EstimationProfile, _ amounts: [Double]) -> EstimableUsage {
        EstimableUsage(
            tenant: tenant, product: product, profile: profile,
            hourly: amounts.enumerated().map { HourlyAmount(hour: hour($0.offset), amount: $0.element) },
            usage: amounts.reduce(0, +))
    }

    static func input(
        region: String = "us-east-1", sites: [SiteMonthInput] = [], usage: [String: [String: Double]] = [:],
        estimable: [EstimableUsage], factors: [EmissionFactor] = DefaultFactorLibrary.factors()
    ) -> RegionMonthInput {
        RegionMonthInput(
            region: region, month: month, sites: sites, usage: usage, estimable: estimable, factors: FactorResolver(factors))
    }

    @Test func shippedTablesHoldTheCCFConstants() {
        // Spot checks against refdata/ccf/cloud-carbon-footprint-constants/*.csv.
        let aws = CCFCoefficients.constants(for: .aws)
        #expect(aws.minWatts == 0.74 && aws.maxWatts == 3.5 && aws.averagePUE == 1.135)
        #expect(aws.memoryKWhPerGBh == 0.000392 && aws.ssdWhPerTBh == 1.2 && aws.hddWhPerTBh == 0.65 && aws.networkKWhPerGB == 0.001)
        #expect(CCFCoefficients.constants(for: .gcp).minWatts == 0.68)  // GCP: median, not average
        #expect(CCFCoefficients.constants(for: .azure).averagePUE == 1.185)
        #expect(CCFCoefficients.pue(provider: .gcp, region: "us-central1") == 1.11)
        #expect(CCFCoefficients.pue(provider: .gcp, region: "nowhere-1") == 1.1)
        #expect(CCFCoefficients.pue(provider: .ali, region: "cn-beijing") == 1.2)
        #expect(CCFCoefficients.watts(provider: .aws, processor: "CASCADE_LAKE") == CCFWattRange(min: 0.64, max: 3.97))
        let grid = DefaultFactorLibrary.factors().first { $0.factor == "ccf.grid.aws.us-east-1" }
        #expect(grid?.region == "aws/us-east-1")
        #expect(grid?.value == 0.000379069 * 1000)
        #expect(grid?.origin == .providerDefault)
    }

    @Test func profileKeyRoundTrips() {
        let profiles = [
            Self.awsCompute,
            EstimationProfile(provider: .gcp, resource: .compute, processor: "SKYLAKE", utilization: 0.125, replication: 3),
            EstimationProfile(provider: .azure, resource: .hdd, replication: 2.5),
        ]
        for profile in profiles {
            #expect(EstimationProfile(key: profile.key) == profile)
        }
        #expect(EstimationProfile(key: "") == nil)
        #expect(EstimationProfile(key: "HFC-134a") == nil)
    }

    @Test func usageWithoutFacilityDataIsEstimatedWithCCFDefaults() throws {
        let result = AccountingEngine.calculate(Self.input(estimable: [Self.usage("t1", "ec2", Self.awsCompute, [100, 100])]))
        let cell = try #require(result.tenants.first)
        #expect(result.tenants.count == 1)
        #expect(cell.mode == .estimated)
        #expect(cell.usage == 200)
        // W = 0.74 + 0.5 × (3.5 − 0.74) = 2.12 W per vCPU (aws average, default utilization 0.5)
        // per hour: 2.12 × 100 vCPU-h × PUE 1.135 × 1 / 1000 = 0.24062 kWh; two hours = 0.48124 kWh
        #expect(abs(cell.figures.energyKWh - 0.48124) < 1e-12)
        // × aws us-east-1 grid 0.000379069 t/kWh = 0.379069 kg/kWh → 0.18242316… kg
        #expect(abs(cell.figures.scope2Location - 0.48124 * 0.379069) < 1e-12)
        // No residual mix known: market-based falls back to the grid factor.
        #expect(cell.figures.scope2Market == cell.figures.scope2Location)
        // No certificates reach an estimate: the hourly method prices it as the monthly one, with no carbon-free energy.
        #expect(cell.figures.scope2MarketHourly == cell.figures.scope2Market && cell.figures.cfeKWh == 0)
        #expect(cell.figures.scope1 == 0 && cell.figures.scope3 == 0)
        #expect(cell.factorsUsed.map(\.factor) == ["ccf.grid.aws.us-east-1"])
        // Nothing measured: no product or site rows.
        #expect(result.productRegions.isEmpty && result.sites.isEmpty)
        #expect(result.missingFactors.isEmpty)
    }

    @Test func declaredFactorOverridesTheShippedDefault() throws {
        let mine = EmissionFactor(
            factor: "grid.aws-use1.mine", activity: "electricity", region: "aws/us-east-1", unit: "kgCO2e/kWh", value: 0.5,
            validFrom: Self.month.start, validTo: Self.month.end, source: "own audit", version: "1")
        let result = AccountingEngine.calculate(
            Self.input(estimable: [Self.usage("t1", "ec2", Self.awsCompute, [100])], factors: DefaultFactorLibrary.factors() + [mine]))
        let cell = try #require(result.tenants.first)
        // 0.24062 kWh × 0.5 = 0.12031 kg
        #expect(abs(cell.figures.scope2Location - 0.12031) < 1e-12)
        #expect(cell.factorsUsed.map(\.factor) == ["grid.aws-use1.mine"])
    }

    @Test func memoryStorageAndNetworkUseTheirCoefficients() throws {
        let profiles: [(EstimationProfile, Double, Double)] = [
            // 1000 GB-h × 0.000392 × 1.11 (gcp us-central1) × 2 replicas = 0.87024 kWh
            (EstimationProfile(provider: .gcp, resource: .memory, replication: 2), 1000, 1000 * 0.000392 * 1.11 * 2),
            // 2 TB-h × 1.2 Wh × 1.11 / 1000 = 0.002664 kWh
            (EstimationProfile(provider: .gcp, resource: .ssd), 2, 2 * 1.2 * 1.11 / 1000),
            // 2 TB-h × 0.65 Wh × 1.11 / 1000 = 0.001443 kWh
            (EstimationProfile(provider: .gcp, resource: .hdd), 2, 2 * 0.65 * 1.11 / 1000),
            // 50 GB × 0.001 × 1.11 = 0.0555 kWh (replication does not apply to network)
            (EstimationProfile(provider: .gcp, resource: .network, replication: 3), 50, 50 * 0.001 * 1.11),
        ]
        for (profile, amount, expected) in profiles {
            let result = AccountingEngine.calculate(
                Self.input(region: "us-central1", estimable: [Self.usage("t1", "p", profile, [amount])]))
            let cell = try #require(result.tenants.first)
            #expect(abs(cell.figures.energyKWh - expected) < 1e-15, "\(profile.resource)")
            // gcp us-central1 grid_only factor: 0.000456 t/kWh (refdata/ccf/cloud-carbon-footprint-constants/grid_emission_factors.csv)
            #expect(abs(cell.figures.scope2Location - expected * 0.456) < 1e-15, "\(profile.resource)")
        }
    }

    @Test func processorAndUtilizationRefineCompute() throws {
        let profile = EstimationProfile(provider: .aws, resource: .compute, processor: "CASCADE_LAKE", utilization: 0.2)
        let result = AccountingEngine.calculate(Self.input(estimable: [Self.usage("t1", "ec2", profile, [10])]))
        let cell = try #require(result.tenants.first)
        // W = 0.64 + 0.2 × (3.97 − 0.64) = 1.306; 1.306 × 10 × 1.135 / 1000 = 0.01482310 kWh
        #expect(abs(cell.figures.energyKWh - 0.0148231) < 1e-15)
    }

    @Test func regionWithoutAGridFactorReportsItMissing() throws {
        let result = AccountingEngine.calculate(Self.input(region: "mars-1", estimable: [Self.usage("t1", "ec2", Self.awsCompute, [100])]))
        let cell = try #require(result.tenants.first)
        #expect(cell.figures.scope2Location == 0)
        #expect(abs(cell.figures.energyKWh - 0.24062) < 1e-12)
        #expect(result.missingFactors == [MissingFactor(activity: "electricity", region: "aws/mars-1", hours: 1, amount: cell.figures.energyKWh)])
    }

    @Test func productWithFacilityDataAllocatesEstimableUsageAsMeasured() throws {
        let site = SiteMonthInput(
            site: SiteDeclaration(site: "s1", region: "r1", grid: "G"),
            gridElectricityKWh: [HourlyAmount(hour: Self.hour(0), amount: 100)], productITKWh: ["ecs": 80])
        let grid = EmissionFactor(
            factor: "grid.G", activity: "electricity", region: "G", unit: "kgCO2e/kWh", value: 0.5, validFrom: Self.month.start,
            validTo: Self.month.end, source: "test", version: "1")
        let result = AccountingEngine.calculate(
            Self.input(
                region: "r1", sites: [site], usage: ["ecs": ["t2": 30]],
                estimable: [Self.usage("t1", "ecs", Self.awsCompute, [10])], factors: [grid]))
        // The product has facility data, so t1's usage joins the measured allocation:
        // E(ecs) = 100 kWh × 0.5 = 50 kg; D = 10 + 30 = 40; t1 = 10/40 × 50 = 12.5, t2 = 37.5.
        #expect(result.tenants.map(\.mode) == [.measured, .measured])
        #expect(result.tenants.map(\.tenant) == ["t1", "t2"])
        #expect(result.tenants[0].figures.scope2Location == 12.5)
        #expect(result.tenants[1].figures.scope2Location == 37.5)
    }

    @Test func estimatedAndMeasuredRowsOfOneTenantStayApart() throws {
        // Product "ecs" is measured at s1; product "ec2" has no facility data and is estimated.
        let site = SiteMonthInput(
            site: SiteDeclaration(site: "s1", region: "r1", grid: "G"),
            gridElectricityKWh: [HourlyAmount(hour: Self.hour(0), amount: 100)], productITKWh: ["ecs": 80])
        let result = AccountingEngine.calculate(
            Self.input(
                region: "r1", sites: [site], usage: ["ecs": ["t1": 1]],
                estimable: [Self.usage("t1", "ec2", Self.awsCompute, [100])]))
        #expect(result.tenants.map { "\($0.product):\($0.mode.rawValue)" } == ["ec2:estimated", "ecs:measured"])
        #expect(result.productRegions.map(\.product) == ["ecs"])
    }
}

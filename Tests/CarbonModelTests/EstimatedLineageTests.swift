import Foundation
import Testing

@testable import CarbonModel

/// Lineage of an estimated (CCF estimation mode) tenant cell against a hand-computed case, and
/// against the engine.
struct EstimatedLineageTests {
    static let month = CalendarMonth(year: 2024, month: 1)
    static let hour = Int64(3600)
    static let products = ["ec2": ProductDeclaration(product: "ec2", unit: "vCPU-h")]

    static func factor(_ id: String, _ activity: String, _ value: Double, from: Int64, to: Int64) -> EmissionFactor {
        EmissionFactor(
            factor: id, activity: activity, region: "aws/us-east-1", unit: "kgCO2e/kWh", value: value, validFrom: from, validTo: to,
            source: "test", version: "1")
    }

    /// Grid factor 0.4 in hour 0, 0.5 from hour 1; residual mix 0.6 all month.
    static let factors = [
        factor("grid.a", "electricity", 0.4, from: month.start, to: month.start + hour),
        factor("grid.b", "electricity", 0.5, from: month.start + hour, to: month.end),
        factor("residual", "residual_electricity", 0.6, from: month.start, to: month.end),
    ]

    static func usage(_ id: String, _ vCPUHours: Double, hours: Int64, processor: String? = nil, utilization: Double? = nil, replication: Double? = nil)
        -> NormalizedRecord
    {
        NormalizedRecord(
            source: "billing", id: id, revision: 1, kind: .usage, start: month.start, end: month.start + hours * hour,
            amount: Int64(vCPUHours * 1_000_000), unit: "vCPU-h", region: "us-east-1", product: "ec2", tenant: "t1",
            utilization: utilization, provider: "aws", resourceType: "compute", processor: processor, replication: replication)
    }

    // u1: 100 vCPU-h over hours 0–1 (50 + 50), CASCADE_LAKE (0.64–3.97 W), util 0.25, replication 2;
    //     AWS has no regional PUE → average 1.135.
    //     W = 0.64 + 0.25 × (3.97 − 0.64) = 1.4725; per hour kWh = 1.4725 × 50 × 1.135 × 2 / 1000 = 0.16712875.
    //     hour 0: × 0.4 = 0.0668515; hour 1: × 0.5 = 0.083564375; market: 2 × 0.16712875 × 0.6 = 0.2005545.
    // u2: 40 vCPU-h in hour 0, provider average (0.74–3.5 W), util 0.5 (CCF default), replication 1:
    //     W = 0.74 + 0.5 × 2.76 = 2.12; kWh = 2.12 × 40 × 1.135 / 1000 = 0.096248; × 0.4 = 0.0384992; × 0.6 = 0.0577488.
    // Cell: energy = 0.3342575 + 0.096248 = 0.4305055; scope2 location = 0.0668515 + 0.083564375 + 0.0384992
    //     = 0.188915075; scope2 market = 0.4305055 × 0.6 = 0.2583033.
    static let records = [
        usage("u1", 100, hours: 2, processor: "CASCADE_LAKE", utilization: 0.25, replication: 2),
        usage("u2", 40, hours: 1),
    ]

    static func close(_ a: Double?, _ b: Double) -> Bool { abs((a ?? .nan) - b) <= 1e-12 * max(1, abs(b)) }

    static func cell() throws -> CellLineage {
        try CellLineage.build(
            layer: .tenant, region: "us-east-1", month: month, site: nil, product: "ec2", tenant: "t1", sites: [], products: products,
            records: records, factors: FactorResolver(factors))
    }

    @Test func estimatedTenantCellByHand() throws {
        let cell = try Self.cell()
        #expect(cell.mode == .estimated && cell.share == 1 && Self.close(cell.tenantUsage, 140))
        #expect(cell.usage.map(\.id) == ["u1", "u2"])
        let f = try #require(cell.figures)
        #expect(Self.close(f.energyKWh, 0.4305055))
        #expect(Self.close(f.scope2Location, 0.188915075))
        #expect(Self.close(f.scope2Market, 0.2583033))
        #expect(f.scope1 == 0 && f.scope3 == 0)
        let estimation = try #require(cell.estimation)
        // u1 splits at the grid factor change; u2 lies within hour 0.
        #expect(estimation.terms.map(\.id) == ["u1", "u1", "u2"])
        #expect(estimation.terms.map { $0.location?.factor } == ["grid.a", "grid.b", "grid.a"])
        #expect(estimation.terms.allSatisfy { $0.market?.factor == "residual" && $0.market?.value == 0.6 })
        #expect(Self.close(estimation.terms[0].kwh, 0.16712875) && Self.close(estimation.terms[1].scope2Location, 0.083564375))
        #expect(Self.close(estimation.terms[2].kwh, 0.096248))
        // The coefficients, named, with version and source.
        let u1 = try #require(estimation.profiles.first { $0.processor == "CASCADE_LAKE" })
        let values = Dictionary(uniqueKeysWithValues: u1.coefficients.map { ($0.symbol, $0.value) })
        #expect(values == ["min_watts": 0.64, "max_watts": 3.97, "utilization": 0.25, "pue": 1.135, "replication": 2])
        #expect(u1.coefficients.first { $0.symbol == "min_watts" }?.name == "ccf.aws.CASCADE_LAKE.min_watts")
        #expect(u1.coefficients.first { $0.symbol == "pue" }?.version == CCFCoefficients.version)
        #expect(u1.unitScale == 1 && u1.quantityUnit == "vCPU-h")
        let u2 = try #require(estimation.profiles.first { $0.processor == nil })
        #expect(u2.coefficients.first { $0.symbol == "utilization" }?.value == 0.5)
        #expect(u2.coefficients.first { $0.symbol == "min_watts" }?.name == "ccf.aws.min_watts")
    }

    @Test func recomputesFromTheLineageAlone() throws {
        // What a verifier does with the JSON: quantity × coefficients by the profile's formula,
        // × the factor values, summed.
        let data = try JSONEncoder().encode(try Self.cell())
        let lineage = try JSONDecoder().decode(CellLineage.self, from: data)
        let estimation = try #require(lineage.estimation)
        var energy = 0.0
        var location = 0.0
        var market = 0.0
        for term in estimation.terms {
            let profile = try #require(estimation.profiles.first { $0.key == term.profile })
            let c = Dictionary(uniqueKeysWithValues: profile.coefficients.map { ($0.symbol, $0.value) })
            let quantity = term.amount * profile.unitScale
            let watts = (c["min_watts"] ?? .nan) + (c["utilization"] ?? .nan) * ((c["max_watts"] ?? .nan) - (c["min_watts"] ?? .nan))
            let kWh = quantity * watts * (c["pue"] ?? .nan) * (c["replication"] ?? .nan) / 1000
            energy += kWh
            location += kWh * (term.location?.value ?? 0)
            market += kWh * (term.market?.value ?? 0)
        }
        let f = try #require(lineage.figures)
        #expect(abs(energy - f.energyKWh) <= 1e-12 && abs(location - f.scope2Location) <= 1e-12 && abs(market - f.scope2Market) <= 1e-12)
    }

    @Test func agreesWithTheEngine() throws {
        // The same records through the accumulator (series keyed by profile, as the calculator's
        // ledger keeps them) and the engine give the same tenant figures.
        var accumulator = RegionMonthAccumulator()
        for record in Self.records {
            for bucket in TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity) {
                accumulator.add(
                    kind: record.kind, site: "", product: record.product ?? "", tenant: record.tenant ?? "",
                    substance: record.estimationProfile?.key ?? "", bucket: bucket.start, amount: bucket.amount)
            }
        }
        let result = AccountingEngine.calculate(
            accumulator.input(region: "us-east-1", month: Self.month, sites: [:], products: Self.products, factors: FactorResolver(Self.factors)))
        let engine = try #require(result.tenants.first { $0.tenant == "t1" })
        #expect(engine.mode == .estimated)
        let cell = try Self.cell()
        let f = try #require(cell.figures)
        for (a, b) in [(f.scope1, engine.figures.scope1), (f.scope2Location, engine.figures.scope2Location),
            (f.scope2Market, engine.figures.scope2Market), (f.scope3, engine.figures.scope3), (f.energyKWh, engine.figures.energyKWh),
            (cell.tenantUsage ?? .nan, engine.usage)] {
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)))
        }
        // Every factor the engine names is in the lineage's terms.
        let named = Set(cell.estimation?.terms.flatMap { [$0.location?.factor, $0.market?.factor].compactMap { $0 } } ?? [])
        #expect(Set(engine.factorsUsed.map(\.factor)) == named)
    }

    @Test func storageInGigabyteHoursIsScaledToTerabyteHours() throws {
        // 2000 GB-h of SSD on GCP us-central1 (regional PUE 1.11), replication 1: 2 TB-h;
        // kWh = 2 × 1.2 × 1.11 / 1000 = 0.002664; × 0.4 = 0.0010656.
        let record = NormalizedRecord(
            source: "billing", id: "s1", revision: 1, kind: .usage, start: Self.month.start, end: Self.month.start + Self.hour,
            amount: 2000 * 1_000_000, unit: "GB-h", region: "us-central1", product: "disk", tenant: "t1", provider: "gcp", resourceType: "ssd")
        let grid = EmissionFactor(
            factor: "grid.g", activity: "electricity", region: "gcp/us-central1", unit: "kgCO2e/kWh", value: 0.4, validFrom: Self.month.start,
            validTo: Self.month.end, source: "test", version: "1")
        let cell = try CellLineage.build(
            layer: .tenant, region: "us-central1", month: Self.month, site: nil, product: "disk", tenant: "t1", sites: [],
            products: ["disk": ProductDeclaration(product: "disk", unit: "GB-h")], records: [record], factors: FactorResolver([grid]))
        let profile = try #require(cell.estimation?.profiles.first)
        #expect(Self.close(profile.unitScale, 0.001))
        #expect(profile.coefficients.first { $0.symbol == "pue" }?.name == "ccf.gcp.pue.us-central1")
        #expect(Self.close(cell.estimation?.terms.first?.quantity, 2))
        #expect(Self.close(cell.figures?.energyKWh, 0.002664) && Self.close(cell.figures?.scope2Location, 0.0010656))
    }
}

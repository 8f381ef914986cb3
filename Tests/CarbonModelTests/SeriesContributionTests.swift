import Foundation
import Testing

@testable import CarbonModel

/// What a record adds to the calculator's series sums (``SeriesContribution``, ``SeriesGrain``):
/// hand-computed splits, and the property the calculator relies on — sums kept incrementally,
/// usage as monthly totals, give the engine exactly what a full recompute from every live
/// record's hourly buckets gives.
struct SeriesContributionTests {
    static let june = CalendarMonth(year: 2023, month: 6)
    static let july = CalendarMonth(year: 2023, month: 7)
    static let awsCompute = EstimationProfile(provider: .aws, resource: .compute)

    /// Epoch seconds of 2023-06-01T00:00Z plus `hours`.
    static func at(hours: Int64) -> Int64 { june.start + hours * 3600 }

    // MARK: - Grain

    @Test func onlyUsageWithoutResourceDetailsIsKeptMonthly() {
        #expect(SeriesGrain(kind: .usage, substance: "") == .month)
        // A usage substance that is not a profile key is still plain usage for the accumulator.
        #expect(SeriesGrain(kind: .usage, substance: "HFC-134a") == .month)
        #expect(SeriesGrain(kind: .usage, substance: Self.awsCompute.key) == .bucket)
        #expect(SeriesGrain(kind: .facilityElectricity, substance: "") == .bucket)
        #expect(SeriesGrain(kind: .facilityRefrigerant, substance: "HFC-134a") == .bucket)
        #expect(SeriesGrain(kind: .hardwareEmbodied, substance: "") == .bucket)
    }

    @Test func hourlySumsCollapseToExactMonthTotals() {
        // What the calculator's migration does to a usage series kept hourly before: June 1st
        // 00:00 (the bucket that starts the month) 2,000,000 + June 30th 23:00 1,500,001 =
        // 3,500,001 in June; July 1st 00:00 1,500,000 + July 2nd 05:00 −1,500,000 (a revision
        // subtracted) = 0, left out; August 3rd 7 in August.
        let aug = CalendarMonth(year: 2023, month: 8)
        let hourly = [
            TimeBucket(start: Self.july.start + 86_400 + 5 * 3600, amount: -1_500_000),
            TimeBucket(start: Self.june.start, amount: 2_000_000),
            TimeBucket(start: aug.start + 2 * 86_400, amount: 7),
            TimeBucket(start: Self.july.start - 3600, amount: 1_500_001),
            TimeBucket(start: Self.july.start, amount: 1_500_000),
        ]
        #expect(
            SeriesGrain.monthTotals(of: hourly) == [TimeBucket(start: Self.june.start, amount: 3_500_001), TimeBucket(start: aug.start, amount: 7)])
        #expect(SeriesGrain.monthTotals(of: []) == [])
    }

    // MARK: - Hand-computed contributions

    @Test func usageAcrossAMonthBoundaryIsOneSumPerMonth() {
        // 2023-06-30T23:00Z → 2023-07-01T01:00Z, 3.000001 units = 3,000,001 micro-units over
        // two hours of 3,600 s each: 3,000,001 × 3,600 / 7,200 = 1,500,000 rem 3,600 per hour;
        // the one unit left over goes to the earlier hour (equal remainders): 1,500,001 in
        // June, 1,500,000 in July.
        let record = NormalizedRecord(
            source: "s", id: "1", kind: .usage, start: Self.july.start - 3600, end: Self.july.start + 3600, amount: 3_000_001,
            unit: "vCPU-h", region: "r1", product: "ecs", tenant: "t1")
        let contribution = SeriesContribution(record)
        #expect(contribution.grain == .month)
        #expect(contribution.series == SeriesIdentity(region: "r1", site: "", kind: "usage", product: "ecs", tenant: "t1", substance: ""))
        #expect(contribution.parts == [TimeBucket(start: Self.june.start, amount: 1_500_001), TimeBucket(start: Self.july.start, amount: 1_500_000)])
        #expect(contribution.monthly == [Self.june: 1_500_001, Self.july: 1_500_000])
    }

    @Test func usageOverSeveralHoursOfOneMonthIsOneSum() {
        // 10:30 → 13:30 on June 10th, 9 units: 1,800 + 3,600 + 3,600 + 1,800 s of 10,800 s, i.e.
        // 1.5 + 3 + 3 + 1.5 units hour by hour, 9,000,000 micro-units in June.
        let start = Self.at(hours: 9 * 24 + 10) + 1800
        let record = NormalizedRecord(
            source: "s", id: "2", kind: .usage, start: start, end: start + 3 * 3600, amount: 9_000_000, unit: "vCPU-h", region: "r1",
            product: "ecs", tenant: "t1")
        let contribution = SeriesContribution(record)
        #expect(contribution.parts == [TimeBucket(start: Self.june.start, amount: 9_000_000)])
        #expect(contribution.monthly == [Self.june: 9_000_000])
    }

    @Test func meteredAndEstimableSeriesKeepTheirHours() {
        // The same 10:30 → 13:30 span for a grid meter: 1.5, 3, 3, 1.5 kWh in the four hours.
        let start = Self.at(hours: 9 * 24 + 10) + 1800
        let hour = Self.at(hours: 9 * 24 + 10)
        let expected = [
            TimeBucket(start: hour, amount: 1_500_000), TimeBucket(start: hour + 3600, amount: 3_000_000),
            TimeBucket(start: hour + 7200, amount: 3_000_000), TimeBucket(start: hour + 10800, amount: 1_500_000),
        ]
        let meter = NormalizedRecord(
            source: "s", id: "3", kind: .facilityElectricity, start: start, end: start + 3 * 3600, amount: 9_000_000, unit: "kWh",
            site: "s1", region: "r1")
        let metered = SeriesContribution(meter)
        #expect(metered.grain == .bucket)
        #expect(metered.parts == expected)
        #expect(metered.monthly == [Self.june: 9_000_000])

        let estimable = NormalizedRecord(
            source: "s", id: "4", kind: .usage, start: start, end: start + 3 * 3600, amount: 9_000_000, unit: "vCPU-h", region: "r1",
            product: "ec2", tenant: "t1", provider: "aws", resourceType: "compute")
        let contribution = SeriesContribution(estimable)
        #expect(contribution.series.substance == Self.awsCompute.key)
        #expect(contribution.grain == .bucket)
        #expect(contribution.parts == expected)
    }

    // MARK: - Incremental sums equal a full recompute

    /// A deterministic generator (64-bit LCG, Knuth's constants), so the sequence is the same
    /// on every run.
    struct Seeded {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    /// A random record of one of the kinds the series sums hold: plain usage (monthly sums),
    /// estimable usage and facility meters (hourly sums), spanning up to 30 hours, some across
    /// the June/July boundary.
    static func record(id: String, revision: Int, random: inout Seeded) -> NormalizedRecord {
        let start = Self.at(hours: Int64(random.next(2 * 720 - 40))) + Int64(random.next(4)) * 900
        let end = start + Int64(1 + random.next(30 * 4)) * 900
        let amount = Int64(random.next(50_000_000))
        let tenant = "t\(random.next(5))"
        switch random.next(6) {
        case 0, 1:
            return NormalizedRecord(
                source: "s", id: id, revision: revision, kind: .usage, start: start, end: end, amount: amount, unit: "vCPU-h", region: "r1",
                product: random.next(2) == 0 ? "ecs" : "oss", tenant: tenant)
        case 2:
            return NormalizedRecord(
                source: "s", id: id, revision: revision, kind: .usage, start: start, end: end, amount: amount, unit: "vCPU-h", region: "r1",
                product: "ec2", tenant: tenant, provider: "aws", resourceType: "compute")
        case 3:
            return NormalizedRecord(
                source: "s", id: id, revision: revision, kind: .facilityElectricity, start: start, end: end, amount: amount, unit: "kWh",
                site: "s1", region: "r1")
        case 4:
            return NormalizedRecord(
                source: "s", id: id, revision: revision, kind: .productITElectricity, start: start, end: end, amount: amount, unit: "kWh",
                site: "s1", region: "r1", product: random.next(2) == 0 ? "ecs" : "oss")
        default:
            return NormalizedRecord(
                source: "s", id: id, revision: revision, kind: .facilityOnsiteRenewable, start: start, end: end, amount: amount / 10,
                unit: "kWh", site: "s1", region: "r1")
        }
    }

    static func engineInput(_ accumulator: RegionMonthAccumulator, month: CalendarMonth) -> RegionMonthInput {
        let factors = [
            EmissionFactor(
                factor: "grid", activity: "electricity", region: "G", unit: "kgCO2e/kWh", value: 0.5, validFrom: june.start,
                validTo: july.start + 15 * 86_400, source: "test", version: "1"),
            EmissionFactor(
                factor: "grid", activity: "electricity", region: "G", unit: "kgCO2e/kWh", value: 0.6, validFrom: july.start + 15 * 86_400,
                validTo: july.end, source: "test", version: "2"),
        ]
        return accumulator.input(
            region: "r1", month: month, sites: ["s1": SiteDeclaration(site: "s1", region: "r1", grid: "G")],
            products: [
                "ecs": ProductDeclaration(product: "ecs", unit: "vCPU-h"), "oss": ProductDeclaration(product: "oss", unit: "vCPU-h"),
                "ec2": ProductDeclaration(product: "ec2", unit: "vCPU-h"),
            ],
            factors: FactorResolver(factors))
    }

    @Test func incrementalSumsGiveTheSameResultsAsAFullRecompute() throws {
        var random = Seeded(state: 20_231_123)
        var live: [String: NormalizedRecord] = [:]
        var revisions: [String: Int] = [:]
        // Series → bucket start → micro-units, kept as the calculator keeps them: add each new
        // revision's contribution, subtract the one it replaces or that is retracted.
        var sums: [SeriesIdentity: [Int64: Int64]] = [:]
        func apply(_ contribution: SeriesContribution, sign: Int64) {
            for part in contribution.parts { sums[contribution.series, default: [:]][part.start, default: 0] += sign * part.amount }
        }
        var inserts = 0, revised = 0, retracted = 0
        for _ in 0..<3_000 {
            let id = "r\(random.next(400))"
            let operation = random.next(10)
            if let existing = live[id], operation >= 7 {
                // Retraction: the record leaves the sums.
                apply(SeriesContribution(existing), sign: -1)
                live[id] = nil
                retracted += 1
            } else {
                let revision = (revisions[id] ?? 0) + 1
                revisions[id] = revision
                let record = Self.record(id: id, revision: revision, random: &random)
                if let existing = live[id] {
                    apply(SeriesContribution(existing), sign: -1)
                    revised += 1
                } else {
                    inserts += 1
                }
                apply(SeriesContribution(record), sign: 1)
                live[id] = record
            }
        }
        #expect(inserts > 300 && revised > 300 && retracted > 300)

        for month in [Self.june, Self.july] {
            // Full recompute: every live record split into hourly buckets, as before month sums.
            var full = RegionMonthAccumulator()
            for record in live.values {
                for bucket in TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity)
                where bucket.start >= month.start && bucket.start < month.end && bucket.amount != 0 {
                    full.add(
                        kind: record.kind, site: record.site ?? "", product: record.product ?? "", tenant: record.tenant ?? "",
                        substance: record.estimationProfile?.key ?? record.substance ?? "", bucket: bucket.start, amount: bucket.amount)
                }
            }
            // Incremental: the kept sums of the month, hourly or monthly per series.
            var incremental = RegionMonthAccumulator()
            var monthRows = 0, hourRows = 0
            for (series, buckets) in sums {
                let kind = try #require(ActivityKind(rawValue: series.kind))
                for (start, amount) in buckets where start >= month.start && start < month.end && amount != 0 {
                    incremental.add(
                        kind: kind, site: series.site, product: series.product, tenant: series.tenant, substance: series.substance,
                        bucket: start, amount: amount)
                    if SeriesGrain(kind: kind, substance: series.substance) == .month { monthRows += 1 } else { hourRows += 1 }
                }
            }
            // Plain usage is one row per tenant cell (at most 5 tenants × 2 products).
            #expect(monthRows > 0 && monthRows <= 10)
            #expect(hourRows > 0)

            let expectedInput = Self.engineInput(full, month: month)
            let actualInput = Self.engineInput(incremental, month: month)
            let expected = AccountingEngine.calculate(expectedInput)
            let actual = AccountingEngine.calculate(actualInput)
            #expect(!expected.tenants.isEmpty)
            #expect(expected.tenants.contains { $0.mode == .measured })
            #expect(actual == expected)
            #expect(HourlyBreakdown.series(actualInput, result: actual) == HourlyBreakdown.series(expectedInput, result: expected))
        }
    }
}

import Foundation
import Testing

@testable import CarbonModel

/// Load profiles (docs/model.md §6): parsing, the hour a weight belongs to, the exact
/// weighted split of a record over its hours, and the profiled part of the data-quality shares,
/// all against hand-computed values.
struct LoadProfileTests {
    private static func utc(_ y: Int, _ m: Int, _ d: Int, _ hh: Int = 0, _ mm: Int = 0) -> Int64 {
        CalendarMonth.daysFromCivil(y, m, d) * 86_400 + Int64(hh * 3600 + mm * 60)
    }

    /// Nothing 00–05, 1 from 06 to 17, 2 from 18 to 23: Σ over a day = 12 + 12 = 24.
    private static let load = (0..<24).map { $0 < 6 ? "0" : $0 < 18 ? "1" : "2" }.joined(separator: ",")

    @Test func parsesAndRefusesWithAReason() throws {
        let profile = try LoadProfile(parsing: Self.load)
        #expect(profile.weights.count == 24)
        #expect(profile.text == (0..<24).map { $0 < 6 ? "0.0" : $0 < 18 ? "1.0" : "2.0" }.joined(separator: ","))
        // Spaces and semicolons separate as well as commas; the canonical text is the same.
        #expect(try LoadProfile(parsing: Self.load.replacingOccurrences(of: ",", with: " ")).text == profile.text)
        func reason(_ text: String) -> String? {
            do { _ = try LoadProfile(parsing: text); return nil } catch { return error.description }
        }
        #expect(reason("1,2,3")?.contains("got 3") == true)
        #expect(reason(String(repeating: "0,", count: 23) + "0")?.contains("every weight is 0") == true)
        #expect(reason("-1" + String(repeating: ",1", count: 23))?.contains("weight 1 is negative") == true)
        #expect(reason("nan" + String(repeating: ",1", count: 23))?.contains("weight 1 is not a finite number") == true)
        #expect(reason("x" + String(repeating: ",1", count: 23))?.contains("is not a number") == true)
    }

    @Test func aWeeklyProfileStartsOnMondayUTC() throws {
        // 168 weights: hour k of the week weighs k + 1. 2024-01-01 was a Monday.
        let week = try LoadProfile(weights: (0..<168).map { Double($0 + 1) })
        #expect(week.weight(at: Self.utc(2024, 1, 1, 0)) == 1)
        #expect(week.weight(at: Self.utc(2024, 1, 1, 5)) == 6)
        // Sunday 2024-01-07 23:00 is the week's last hour.
        #expect(week.weight(at: Self.utc(2024, 1, 7, 23)) == 168)
        #expect(week.weight(at: Self.utc(2024, 1, 8, 0)) == 1)
        // Before 1970 too (1969-12-29 was a Monday).
        #expect(week.weight(at: Self.utc(1969, 12, 29, 1)) == 2)
        let day = try LoadProfile(parsing: Self.load)
        #expect(day.weight(at: Self.utc(2024, 1, 3, 20)) == 2)
    }

    @Test func aDayIsSpreadByTheProfileExactly() throws {
        let profile = try LoadProfile(parsing: Self.load)
        // 24 kWh over one day: 1 kWh in each hour 06–17, 2 kWh in each hour 18–23, none before.
        let buckets = TimeSplitter.split(start: Self.utc(2024, 4, 2), end: Self.utc(2024, 4, 3), amount: 24_000_000, profile: profile)
        #expect(buckets.count == 18)
        #expect(buckets.first == TimeBucket(start: Self.utc(2024, 4, 2, 6), amount: 1_000_000))
        #expect(buckets.last == TimeBucket(start: Self.utc(2024, 4, 2, 23), amount: 2_000_000))
        #expect(buckets.reduce(0) { $0 + $1.amount } == 24_000_000)
        // A revision subtracts exactly what was added.
        let negative = TimeSplitter.split(start: Self.utc(2024, 4, 2), end: Self.utc(2024, 4, 3), amount: -24_000_000, profile: profile)
        #expect(negative.map(\.amount) == buckets.map { -$0.amount })
    }

    @Test func partialHoursWeighByTheirSecondsTimesTheirWeight() throws {
        // 05:30–07:00 under weights 0 (05) and 1 (06): all of it goes to 06.
        let profile = try LoadProfile(parsing: Self.load)
        let early = TimeSplitter.split(start: Self.utc(2024, 4, 2, 5, 30), end: Self.utc(2024, 4, 2, 7), amount: 7_000_000, profile: profile)
        #expect(early == [TimeBucket(start: Self.utc(2024, 4, 2, 6), amount: 7_000_000)])
        // 17:30–19:00: 1800 s × 1 (17) and 3600 s × 2 (18) → 1 : 4 of 5 kWh.
        let evening = TimeSplitter.split(start: Self.utc(2024, 4, 2, 17, 30), end: Self.utc(2024, 4, 2, 19), amount: 5_000_000, profile: profile)
        #expect(evening.map(\.amount) == [1_000_000, 4_000_000])
        // 7 units over three equal weights: 2, 2, 2 and the one left over to the earliest.
        let odd = TimeSplitter.split(start: Self.utc(2024, 4, 2, 6), end: Self.utc(2024, 4, 2, 9), amount: 7, profile: profile)
        #expect(odd.map(\.amount) == [3, 2, 2])
    }

    @Test func hoursTheProfileLeavesEmptyFallBackToAnEvenSplit() throws {
        // 01:00–03:00: weight 0 for both hours, so the profile says nothing; spread evenly.
        let profile = try LoadProfile(parsing: Self.load)
        let night = TimeSplitter.split(start: Self.utc(2024, 4, 2, 1), end: Self.utc(2024, 4, 2, 3), amount: 4_000_000, profile: profile)
        #expect(night.map(\.amount) == [2_000_000, 2_000_000])
    }

    @Test func theProfiledPartOfASitesQualityShares() throws {
        // Hour 0: 10 kWh read; hours 1 and 2: 15 kWh each spread by a profile. Factor 0.5:
        // location 40 × 0.5 = 20 kg, of which 30 × 0.5 = 15 kg profiled: shares 0.25 / 0.75.
        let month = CalendarMonth(year: 2024, month: 1)
        let site = SiteDeclaration(site: "s1", region: "r1", grid: "G")
        var accumulator = RegionMonthAccumulator()
        accumulator.add(kind: .facilityElectricity, site: "s1", product: "", tenant: "", substance: "", bucket: month.start, amount: 10_000_000)
        for hour in 1...2 {
            accumulator.add(
                kind: .facilityElectricity, site: "s1", product: "", tenant: "", substance: SeriesContribution.profiledElectricity,
                bucket: month.start + Int64(hour) * 3600, amount: 15_000_000)
        }
        let factor = EmissionFactor(
            factor: "grid.G", activity: "electricity", region: "G", unit: "kgCO2e/kWh", value: 0.5, validFrom: month.start,
            validTo: month.end, source: "test", version: "1")
        let input = accumulator.input(region: "r1", month: month, sites: ["s1": site], products: [:], factors: FactorResolver([factor]))
        #expect(input.sites.first?.gridProfiledKWh == [month.start + 3600: 15, month.start + 7200: 15])
        let result = AccountingEngine.calculate(input)
        let s = try #require(result.sites.first)
        #expect(s.figures.scope2Location == 20)
        #expect(s.quality == QualityShares(measured: 0.25, filled: 0, flagged: 0, estimated: 0, profiled: 0.75))
    }

    @Test func aProfiledRecordIsASeriesOfItsOwn() throws {
        let record = NormalizedRecord(
            source: "meter", id: "april", kind: .facilityElectricity, start: Self.utc(2024, 4, 1), end: Self.utc(2024, 5, 1),
            amount: 720_000_000, unit: "kWh", site: "s1", region: "r1", profile: try LoadProfile(parsing: Self.load).text)
        let contribution = SeriesContribution(record)
        #expect(contribution.series.substance == SeriesContribution.profiledElectricity)
        // 30 days × 18 hours with weight.
        #expect(contribution.parts.count == 540)
        #expect(contribution.parts.reduce(0) { $0 + $1.amount } == 720_000_000)
        var flat = record
        flat.profile = nil
        #expect(SeriesContribution(flat).series.substance == "")
        #expect(SeriesContribution(flat).parts.count == 720)
    }
}

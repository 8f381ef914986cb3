import Testing

@testable import CarbonModel

/// Pro-rata splitting into hourly and monthly buckets, exact in integer micro-units.
struct TimeSplitterTests {
    private static func utc(_ y: Int, _ m: Int, _ d: Int, _ hh: Int = 0, _ mm: Int = 0, _ ss: Int = 0) -> Int64 {
        CalendarMonth.daysFromCivil(y, m, d) * 86_400 + Int64(hh * 3600 + mm * 60 + ss)
    }

    private static let hour: Int64 = 3600

    @Test func recordWithinOneHourIsOneBucket() {
        let start = Self.utc(2024, 5, 1, 10, 5)
        let buckets = TimeSplitter.split(start: start, end: start + 600, amount: 1_234_567, granularity: .hour)
        #expect(buckets == [TimeBucket(start: Self.utc(2024, 5, 1, 10), amount: 1_234_567)])
    }

    @Test func splitsAcrossAnHourBoundaryProRata() {
        let buckets = TimeSplitter.split(
            start: Self.utc(2024, 5, 1, 10, 30), end: Self.utc(2024, 5, 1, 11, 30), amount: 1_000_000, granularity: .hour)
        #expect(buckets == [
            TimeBucket(start: Self.utc(2024, 5, 1, 10), amount: 500_000),
            TimeBucket(start: Self.utc(2024, 5, 1, 11), amount: 500_000),
        ])
        // 15 minutes, then a full hour, then 45 minutes: 1 : 4 : 3.
        let ragged = TimeSplitter.split(
            start: Self.utc(2024, 5, 1, 10, 45), end: Self.utc(2024, 5, 1, 12, 45), amount: 8_000_000, granularity: .hour)
        #expect(ragged.map(\.amount) == [1_000_000, 4_000_000, 3_000_000])
    }

    @Test func splitsAcrossAMonthBoundary() {
        let start = Self.utc(2024, 1, 31, 23, 30), end = Self.utc(2024, 2, 1, 0, 30)
        let hourly = TimeSplitter.split(start: start, end: end, amount: 3_000_000, granularity: .hour)
        #expect(hourly == [
            TimeBucket(start: Self.utc(2024, 1, 31, 23), amount: 1_500_000),
            TimeBucket(start: Self.utc(2024, 2, 1), amount: 1_500_000),
        ])
        let monthly = TimeSplitter.split(start: start, end: end, amount: 3_000_000, granularity: .month)
        #expect(monthly == [
            TimeBucket(start: Self.utc(2024, 1, 1), amount: 1_500_000),
            TimeBucket(start: Self.utc(2024, 2, 1), amount: 1_500_000),
        ])
        #expect(monthly.map { CalendarMonth(containing: $0.start).description } == ["2024-01", "2024-02"])
    }

    @Test func leapYearFebruaryHas29Days() {
        // January 31 days, February 29, March 31: one unit per day.
        let monthly = TimeSplitter.split(
            start: Self.utc(2024, 1, 1), end: Self.utc(2024, 4, 1), amount: 91_000_000, granularity: .month)
        #expect(monthly.map(\.amount) == [31_000_000, 29_000_000, 31_000_000])
        #expect(monthly.map(\.start) == [Self.utc(2024, 1, 1), Self.utc(2024, 2, 1), Self.utc(2024, 3, 1)])
        let common = TimeSplitter.split(
            start: Self.utc(2023, 1, 1), end: Self.utc(2023, 4, 1), amount: 90_000_000, granularity: .month)
        #expect(common.map(\.amount) == [31_000_000, 28_000_000, 31_000_000])
        let february = TimeSplitter.split(
            start: Self.utc(2024, 2, 1), end: Self.utc(2024, 3, 1), amount: 696_000_000, granularity: .hour)
        #expect(february.count == 29 * 24)
        #expect(february.allSatisfy { $0.amount == 1_000_000 })
        #expect(february.last?.start == Self.utc(2024, 2, 29, 23))
    }

    @Test func embodiedLifetimeOf36MonthsSumsExactly() {
        let start = Self.utc(2024, 1, 15, 6)
        let end = TimeSplitter.addingCalendarMonths(36, to: start)
        #expect(end == Self.utc(2027, 1, 15, 6))
        let amount: Int64 = 1_234_567_891  // 1234.567891 kgCO2e
        let buckets = TimeSplitter.split(start: start, end: end, amount: amount, granularity: .month)
        #expect(buckets.count == 37)  // Jan 2024 (part) ... Jan 2027 (part)
        #expect(buckets.reduce(0) { $0 + $1.amount } == amount)
        #expect(buckets.first?.start == Self.utc(2024, 1, 1))
        #expect(buckets.last?.start == Self.utc(2027, 1, 1))
        // Each bucket is the exact pro-rata share, rounded to within one micro-unit.
        let total = Double(end - start)
        for bucket in buckets {
            let month = CalendarMonth(containing: bucket.start)
            let overlap = Double(min(month.end, end) - max(month.start, start))
            #expect(abs(Double(bucket.amount) - Double(amount) * overlap / total) < 1)
        }
    }

    @Test func largestRemainderTiesGoToTheEarlierBucket() {
        let start = Self.utc(2024, 6, 1)
        let ten = TimeSplitter.split(start: start, end: start + 3 * Self.hour, amount: 10, granularity: .hour)
        #expect(ten.map(\.amount) == [4, 3, 3])
        let eleven = TimeSplitter.split(start: start, end: start + 3 * Self.hour, amount: 11, granularity: .hour)
        #expect(eleven.map(\.amount) == [4, 4, 3])
        // Zero shares are left out.
        let two = TimeSplitter.split(start: start, end: start + 3 * Self.hour, amount: 2, granularity: .hour)
        #expect(two == [TimeBucket(start: start, amount: 1), TimeBucket(start: start + Self.hour, amount: 1)])
        // The largest remainder wins over the earlier bucket: 10 min, 60 min, 50 min of 7 units
        // gives exact shares 0.583, 3.5, 2.917 → 0 + 3 + 2 = 5, the two left over go to the
        // remainders .917 and .583.
        let uneven = TimeSplitter.split(
            start: start + 50 * 60, end: start + 2 * Self.hour + 50 * 60, amount: 7, granularity: .hour)
        #expect(uneven.map(\.amount) == [1, 3, 3])
    }

    @Test func awkwardAmountsAlwaysSumExactly() {
        // A deterministic pseudo-random sweep over ranges and amounts.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        let base = Self.utc(2024, 1, 1)
        for round in 0..<500 {
            let start = base + Int64(next() % (400 * 86_400))
            let length = 1 + Int64(next() % (round % 5 == 0 ? 120 * 86_400 : 3 * 86_400))
            let amount = Int64(next() % 1_000_000_000_007) + 1
            let granularity: BucketGranularity = round % 3 == 0 ? .month : .hour
            let buckets = TimeSplitter.split(start: start, end: start + length, amount: amount, granularity: granularity)
            #expect(buckets.reduce(0) { $0 + $1.amount } == amount)
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.start < $1.start })
            #expect(buckets.allSatisfy { $0.amount > 0 })
            #expect(buckets.first?.start == TimeSplitter.bucketStart(containing: start, granularity: granularity))
        }
    }

    @Test func hugeAmountsDoNotOverflow() {
        let start = Self.utc(2024, 1, 1, 0, 20)
        let amount = Int64.max - 12_345
        let buckets = TimeSplitter.split(start: start, end: start + 7 * Self.hour, amount: amount, granularity: .hour)
        #expect(buckets.count == 8)
        #expect(buckets.reduce(Int64(0)) { $0 &+ $1.amount } == amount)
    }

    @Test func negativeAmountsMirrorPositiveOnes() {
        let start = Self.utc(2024, 1, 1, 0, 20), end = Self.utc(2024, 1, 1, 5, 10)
        let positive = TimeSplitter.split(start: start, end: end, amount: 1_000_003, granularity: .hour)
        let negative = TimeSplitter.split(start: start, end: end, amount: -1_000_003, granularity: .hour)
        #expect(negative == positive.map { TimeBucket(start: $0.start, amount: -$0.amount) })
    }

    @Test func degenerateInputs() {
        let start = Self.utc(2024, 1, 1, 0, 20)
        #expect(TimeSplitter.split(start: start, end: start + 7200, amount: 0, granularity: .hour).isEmpty)
        #expect(TimeSplitter.split(start: start, end: start, amount: 5, granularity: .hour)
            == [TimeBucket(start: Self.utc(2024, 1, 1), amount: 5)])
        #expect(TimeSplitter.split(start: start, end: start - 10, amount: 5, granularity: .month)
            == [TimeBucket(start: Self.utc(2024, 1, 1), amount: 5)])
        // Before 1970 the buckets still start on hour boundaries.
        #expect(TimeSplitter.split(start: -1800, end: 1800, amount: 2, granularity: .hour)
            == [TimeBucket(start: -3600, amount: 1), TimeBucket(start: 0, amount: 1)])
    }

    @Test func addsCalendarMonthsClampingTheDay() {
        #expect(TimeSplitter.addingCalendarMonths(1, to: Self.utc(2024, 1, 31, 12)) == Self.utc(2024, 2, 29, 12))
        #expect(TimeSplitter.addingCalendarMonths(1, to: Self.utc(2023, 1, 31, 12)) == Self.utc(2023, 2, 28, 12))
        #expect(TimeSplitter.addingCalendarMonths(12, to: Self.utc(2024, 2, 29)) == Self.utc(2025, 2, 28))
        #expect(TimeSplitter.addingCalendarMonths(48, to: Self.utc(2024, 2, 29)) == Self.utc(2028, 2, 29))
        #expect(TimeSplitter.addingCalendarMonths(3, to: Self.utc(2024, 1, 31)) == Self.utc(2024, 4, 30))
        #expect(TimeSplitter.addingCalendarMonths(1, to: Self.utc(2024, 12, 15, 23, 59, 59)) == Self.utc(2025, 1, 15, 23, 59, 59))
        #expect(TimeSplitter.addingCalendarMonths(36, to: Self.utc(2024, 1, 15)) == Self.utc(2027, 1, 15))
        #expect(TimeSplitter.addingCalendarMonths(-1, to: Self.utc(2024, 3, 31)) == Self.utc(2024, 2, 29))
        #expect(TimeSplitter.addingCalendarMonths(0, to: Self.utc(2024, 3, 31, 1)) == Self.utc(2024, 3, 31, 1))
    }
}

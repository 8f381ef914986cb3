import CarbonModel
import Testing

/// Business-metric intensity against hand-computed cases.
struct BusinessIntensityTests {
    let jan = CalendarMonth(year: 2024, month: 1)
    let feb = CalendarMonth(year: 2024, month: 2)
    let mar = CalendarMonth(year: 2024, month: 3)

    @Test func monthByMonthAndOverThePeriod() throws {
        // Jan: 120 kg ÷ 400 orders = 0.3; Feb: 90 kg, no orders reported → none; Mar: 60 kg ÷ 0 → none.
        let months = BusinessIntensity.months(
            emissions: [jan: 120, feb: 90, mar: 60], values: [jan: 400, mar: 0], from: jan, to: mar)
        #expect(months.map(\.intensity) == [0.3, nil, nil])
        #expect(months.map(\.emissions) == [120, 90, 60])
        // Period: only January counts (Feb has no value, Mar a value of 0): 120 ÷ 400 = 0.3.
        let period = try #require(BusinessIntensity.period(months))
        #expect(period.emissions == 120 && period.value == 400 && period.intensity == 0.3)
    }

    @Test func periodSumsBeforeDividing() throws {
        // Jan 100 kg / 200 orders, Feb 300 kg / 100 orders.
        let months = BusinessIntensity.months(emissions: [jan: 100, feb: 300], values: [jan: 200, feb: 100], from: jan, to: feb)
        // Monthly: 100 ÷ 200 = 0.5 and 300 ÷ 100 = 3.0 (their mean would be 1.75);
        // period: (100 + 300) ÷ (200 + 100) = 400 ÷ 300 = 1.333….
        #expect(months.map(\.intensity) == [0.5, 3.0])
        let period = try #require(BusinessIntensity.period(months))
        #expect(abs(period.intensity - 400.0 / 300.0) < 1e-12)
    }

    @Test func noValuesNoPeriodIntensity() {
        let months = BusinessIntensity.months(emissions: [jan: 5], values: [:], from: jan, to: jan)
        #expect(months.first?.intensity == nil)
        #expect(BusinessIntensity.period(months) == nil)
    }

    @Test func figuresBeyondTheRangeOfANumberAreNamed() {
        // Each value is finite; their sum is not.
        let months = BusinessIntensity.months(emissions: [jan: 1, feb: 1], values: [jan: 1e308, feb: 1e308], from: jan, to: feb)
        #expect(throws: BusinessIntensityOverflow(figure: "the sum of the metric's values over the period")) {
            try BusinessIntensity.checkFinite(months)
        }
        // A huge month over a tiny value: its intensity overflows.
        let tiny = BusinessIntensity.months(emissions: [jan: 1e300], values: [jan: 1e-300], from: jan, to: jan)
        #expect(throws: BusinessIntensityOverflow(figure: "the intensity of 2024-01")) { try BusinessIntensity.checkFinite(tiny) }
        let fine = BusinessIntensity.months(emissions: [jan: 100], values: [jan: 200], from: jan, to: jan)
        #expect(throws: Never.self) { try BusinessIntensity.checkFinite(fine) }
    }
}

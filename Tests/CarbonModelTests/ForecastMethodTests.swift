import CarbonModel
import Testing

/// The forecast methods as selected over the API (`method=linear|seasonal_naive`), against
/// hand-computed cases with a real twelve-month season.
struct ForecastMethodTests {
    @Test func methodNamesAreTheAPIs() {
        #expect(EmissionForecast.Method(rawValue: "linear") == .linearTrend)
        #expect(EmissionForecast.Method(rawValue: "seasonal_naive") == .seasonalNaive)
        #expect(EmissionForecast.Method(rawValue: "seasonal") == nil)
    }

    @Test func seasonalNaiveRepeatsLastYearsSameMonth() {
        // 13 months, Jan 2023 … Jan 2024: 100, 200, …, 1200, then 50.
        let history = (1...12).map { Double($0) * 100 } + [50]
        // Feb 2024 = Feb 2023 = 200; Mar 2024 = 300; …; Jan 2025 = Jan 2024 = 50; Feb 2025 = Feb 2024 = 200.
        let forecast = EmissionForecast.forecast(history, horizon: 13, method: .seasonalNaive)
        #expect(forecast == [200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 50, 200])
        #expect(EmissionForecast.appliedMethod(.seasonalNaive, historyCount: history.count) == .seasonalNaive)
    }

    @Test func linearIsLeastSquaresOverTheSameHistory() {
        // 12 months 100 … 1200: x̄ = 5.5, ȳ = 650, slope b = 100 (the points lie on a line),
        // a = 650 − 100 × 5.5 = 100 → x = 12, 13: 1300, 1400.
        let history = (1...12).map { Double($0) * 100 }
        let forecast = EmissionForecast.forecast(history, horizon: 2, method: .linearTrend)
        #expect(zip(forecast, [1300.0, 1400.0]).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test func seasonalNaiveWithoutASeasonFallsBackToLinear() {
        // 11 months 1 … 11 (slope 1): linear gives 12 and 13, and the applied method says so.
        let history = (1...11).map(Double.init)
        let forecast = EmissionForecast.forecast(history, horizon: 2, method: .seasonalNaive)
        #expect(zip(forecast, [12.0, 13.0]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(EmissionForecast.appliedMethod(.seasonalNaive, historyCount: 11) == .linearTrend)
        #expect(EmissionForecast.appliedMethod(.linearTrend, historyCount: 0) == .linearTrend)
    }
}

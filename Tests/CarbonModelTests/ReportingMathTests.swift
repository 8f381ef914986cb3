import CarbonModel
import Testing

/// Report periods, trends, contributors, intensity, forecasts, budget crossings and target
/// progress, against figures computed by hand in the comments.
struct ReportingMathTests {
    @Test func periodsParseAndStep() throws {
        let q1 = try #require(ReportPeriod("2024-Q1"))
        #expect(q1.months.map(\.description) == ["2024-01", "2024-02", "2024-03"])
        #expect(q1.previous.description == "2023-Q4")
        #expect(q1.yearBefore.description == "2023-Q1")
        let year = try #require(ReportPeriod("2024"))
        #expect(year.months.count == 12 && year.last.description == "2024-12")
        #expect(year.previous.description == "2023")
        let month = try #require(ReportPeriod("2024-01"))
        #expect(month.kind == .month && month.previous.description == "2023-12")
        for bad in ["2024-Q5", "2024-13", "24", "2024-01-01", "", "abcd"] { #expect(ReportPeriod(bad) == nil, "\(bad)") }
    }

    @Test func trendChanges() throws {
        let m = { (text: String) in CalendarMonth(text)! }
        // 2023-02 = 80 (a year before), 2024-01 = 100, 2024-02 = 120, 2024-03 missing (0).
        let values = [m("2023-02"): 80.0, m("2024-01"): 100, m("2024-02"): 120]
        let points = MonthlyTrend.points(values, from: m("2024-01"), to: m("2024-03"))
        #expect(points.map(\.value) == [100, 120, 0])
        // 2024-01: the month before (2023-12) is outside the series and not supplied → unknown.
        #expect(points[0].monthOverMonth == nil)
        // 2024-02: 120 − 100 = +20, +20 %; year over year 120 − 80 = +40, +50 %.
        #expect(points[1].monthOverMonth == 20 && points[1].monthOverMonthPercent == 20)
        #expect(points[1].yearOverYear == 40 && points[1].yearOverYearPercent == 50)
        // 2024-03: 0 − 120 = −120, −100 %; no 2023-03 → no year over year.
        #expect(points[2].monthOverMonth == -120 && points[2].monthOverMonthPercent == -100)
        #expect(points[2].yearOverYear == nil)
    }

    @Test func contributorsAndIntensity() {
        // 60 + 30 + 10 = 100: shares 60 %, 30 %; ties broken by name.
        let ranked = TopContributors.rank(["oss": 30, "ecs": 60, "rds": 10, "cdn": 10], limit: 3)
        #expect(ranked.map(\.name) == ["ecs", "oss", "cdn"])
        #expect(abs(ranked[0].sharePercent - 60 / 110 * 100) < 1e-9)
        // 50 kg over 200 vCPU-h = 0.25 kg per vCPU-h; 1460 GB-h = 2 GB-months.
        #expect(Intensity.per(50, 200) == 0.25)
        #expect(Intensity.per(50, 0) == nil)
        #expect(Intensity.gbMonths(fromGBHours: 1460) == 2)
    }

    @Test func linearTrendForecast() {
        // y = 10, 12, 14 → x̄ = 1, ȳ = 12, b = (−1·−2 + 0 + 1·2) ÷ 2 = 2, a = 12 − 2 = 10 → 16, 18.
        #expect(EmissionForecast.linearTrend([10, 12, 14], horizon: 2) == [16, 18])
        // A falling trend is clamped at 0: 4, 2 → 0, 0 (−2 would be negative).
        #expect(EmissionForecast.linearTrend([4, 2], horizon: 2) == [0, 0])
        #expect(EmissionForecast.linearTrend([7], horizon: 2) == [7, 7])
        #expect(EmissionForecast.linearTrend([], horizon: 1) == [0])
    }

    @Test func seasonalNaiveForecast() {
        // Season 4 for the test: history 1…6 → next = 3, 4, 5, 6 (the value one season back).
        #expect(EmissionForecast.seasonalNaive([1, 2, 3, 4, 5, 6], horizon: 4, season: 4) == [3, 4, 5, 6])
        // Shorter than a season → linear trend.
        #expect(EmissionForecast.seasonalNaive([10, 12, 14], horizon: 1, season: 4) == [16])
    }

    @Test func budgetCrossings() {
        let m = { (text: String) in CalendarMonth(text)! }
        let crossings = BudgetCheck.crossings(
            budget: 100, actual: [m("2024-01"): 90, m("2024-02"): 100.5, m("2024-03"): 100],
            forecast: [m("2024-03"): 101, m("2024-04"): 99])
        // Only strictly above: Feb actual (100.5) and Mar forecast (101); Mar actual = 100 is not above.
        #expect(crossings.map { "\($0.month) \($0.kind.rawValue)" } == ["2024-02 actual", "2024-03 forecast"])
    }

    @Test func targetProgress() {
        // Baseline 2020 = 1000, −50 % by 2030 → target 500; path in 2024 = 1000 − 500 × 4/10 = 800.
        // 2024 emissions 750: reduced 25 %, progress 250/500 = 50 %, on track (750 ≤ 800).
        let progress = TargetProgress.evaluate(baselineYear: 2020, baseline: 1000, targetYear: 2030, reductionPercent: 50, year: 2024, emissions: 750)
        #expect(progress.targetEmissions == 500)
        #expect(progress.pathEmissions == 800)
        #expect(progress.reducedPercent == 25)
        #expect(progress.progressPercent == 50)
        #expect(progress.onTrack)
        let behind = TargetProgress.evaluate(baselineYear: 2020, baseline: 1000, targetYear: 2030, reductionPercent: 50, year: 2024, emissions: 900)
        #expect(!behind.onTrack)
    }
}

/// One month of a trend: the month's total and how it changed against the month before and
/// the same month a year earlier.
public struct TrendPoint: Sendable, Hashable {
    public var month: CalendarMonth
    public var value: Double
    /// value − previous month's value; nil for the first month of the series.
    public var monthOverMonth: Double?
    /// monthOverMonth ÷ previous month's value × 100; nil where the previous value is 0 or unknown.
    public var monthOverMonthPercent: Double?
    /// value − the value 12 months earlier; nil where that month is outside the series.
    public var yearOverYear: Double?
    /// yearOverYear ÷ that value × 100; nil where it is 0 or unknown.
    public var yearOverYearPercent: Double?
}

/// Monthly trend arithmetic over a series of totals: fills missing months with 0 and computes
/// month-over-month and year-over-year changes. Pure; the reporter feeds it ledger sums.
public enum MonthlyTrend {
    /// The points for every month from `first` to `last` (inclusive). `values` may hold months
    /// before `first` (e.g. the year before, for year-over-year); they are used, not listed.
    public static func points(_ values: [CalendarMonth: Double], from first: CalendarMonth, to last: CalendarMonth) -> [TrendPoint] {
        var points: [TrendPoint] = []
        var month = first
        while month <= last {
            let value = values[month] ?? 0
            let before = month.adding(months: -1)
            let yearAgo = month.adding(months: -12)
            // The month before is known when it is in the series or was supplied.
            let previous: Double? = before >= first || values[before] != nil ? (values[before] ?? 0) : nil
            let lastYear: Double? = values[yearAgo]
            points.append(
                TrendPoint(
                    month: month, value: value,
                    monthOverMonth: previous.map { value - $0 }, monthOverMonthPercent: percent(value, previous),
                    yearOverYear: lastYear.map { value - $0 }, yearOverYearPercent: percent(value, lastYear)))
            month = month.next
        }
        return points
    }

    /// (value − base) ÷ base × 100, or nil when there is no base or it is 0.
    public static func percent(_ value: Double, _ base: Double?) -> Double? {
        guard let base, base != 0 else { return nil }
        return (value - base) / base * 100
    }
}

/// One contributor (a product, region, tenant, …) with its share of the whole.
public struct Contributor: Sendable, Hashable {
    public var name: String
    public var value: Double
    /// value ÷ the sum of all values × 100; 0 when the sum is 0.
    public var sharePercent: Double
}

/// Ranks contributors: largest first, ties by name, so the order is stable.
public enum TopContributors {
    public static func rank(_ values: [String: Double], limit: Int) -> [Contributor] {
        let sum = values.values.reduce(0, +)
        return values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(max(0, limit))
            .map { Contributor(name: $0.key, value: $0.value, sharePercent: sum == 0 ? 0 : $0.value / sum * 100) }
    }
}

/// Emissions per unit of activity: kg CO2e per vCPU-hour, per GB-month, …
public enum Intensity {
    /// emissions ÷ activity, or nil when there was no activity.
    public static func per(_ emissions: Double, _ activity: Double) -> Double? {
        activity > 0 ? emissions / activity : nil
    }

    /// GB-hours expressed as GB-months: a GB-month is one GB held for the average month,
    /// 730 hours (8760 h ÷ 12), the convention cloud bills use.
    public static func gbMonths(fromGBHours hours: Double) -> Double { hours / 730 }
}

/// Emissions per unit of a business metric a tenant reports (orders, revenue, users…), month by
/// month and over a period.
///
/// - Month: `intensity(m) = E(m) ÷ V(m)`, nil when the month has no metric value or a value of 0.
/// - Period: `Σ E(m) ÷ Σ V(m)` over the months that have a metric value above 0 only, so a month
///   whose metric was not reported neither adds emissions without activity nor dilutes the ratio.
public enum BusinessIntensity {
    /// One month: its emissions, the metric's value, and their ratio.
    public struct Month: Sendable, Hashable {
        public var month: CalendarMonth
        public var emissions: Double
        public var value: Double?
        public var intensity: Double?
    }

    /// The months `first`…`last`, each with its emissions (0 when absent) and metric value.
    public static func months(
        emissions: [CalendarMonth: Double], values: [CalendarMonth: Double], from first: CalendarMonth, to last: CalendarMonth
    ) -> [Month] {
        var result: [Month] = []
        var month = first
        while month <= last {
            let e = emissions[month] ?? 0
            let v = values[month]
            result.append(Month(month: month, emissions: e, value: v, intensity: v.flatMap { $0 > 0 ? e / $0 : nil }))
            month = month.next
        }
        return result
    }

    /// Σ emissions ÷ Σ value over the months with a value above 0; nil when there are none.
    public static func period(_ months: [Month]) -> (emissions: Double, value: Double, intensity: Double)? {
        let counted = months.filter { ($0.value ?? 0) > 0 }
        guard !counted.isEmpty else { return nil }
        let e = counted.reduce(0) { $0 + $1.emissions }
        let v = counted.reduce(0) { $0 + ($1.value ?? 0) }
        return (e, v, e / v)
    }
}

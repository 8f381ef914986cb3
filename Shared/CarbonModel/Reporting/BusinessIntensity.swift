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

    /// Throws, naming the first figure, when a month's figures or the period's sums or ratio are
    /// not finite — huge metric values can add up beyond a double's range even though each is
    /// finite, and such a figure has no JSON form, so it must become an error the caller sees.
    public static func checkFinite(_ months: [Month]) throws(BusinessIntensityOverflow) {
        for m in months {
            if !m.emissions.isFinite { throw BusinessIntensityOverflow(figure: "the emissions of \(m.month)") }
            if let value = m.value, !value.isFinite { throw BusinessIntensityOverflow(figure: "the metric's value for \(m.month)") }
            if let intensity = m.intensity, !intensity.isFinite { throw BusinessIntensityOverflow(figure: "the intensity of \(m.month)") }
        }
        guard let period = period(months) else { return }
        if !period.emissions.isFinite { throw BusinessIntensityOverflow(figure: "the sum of the emissions over the period") }
        if !period.value.isFinite { throw BusinessIntensityOverflow(figure: "the sum of the metric's values over the period") }
        if !period.intensity.isFinite { throw BusinessIntensityOverflow(figure: "the period's intensity") }
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

/// An intensity figure beyond the range of a number (about ±1.8e308): the sums or ratio of
/// the asked months overflowed.
public struct BusinessIntensityOverflow: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which figure, e.g. "the sum of the metric's values over the period".
    public var figure: String

    public init(figure: String) { self.figure = figure }

    public var description: String {
        "\(figure) is beyond the range of a number (about 1.8e308); ask for fewer months or correct the metric's values"
    }
}

/// Forecasts monthly emissions from their history. Two documented methods:
///
/// - `linearTrend`: ordinary least squares over the months (x = 0, 1, …, n−1), extended
///   forward: ŷ(x) = a + b·x with b = Σ(x−x̄)(y−ȳ) ÷ Σ(x−x̄)², a = ȳ − b·x̄. Values below 0 are
///   clamped to 0 (emissions cannot be negative). With one month of history the forecast is
///   that month repeated; with none, 0.
/// - `seasonalNaive`: each forecast month equals the same month one season (12 months)
///   earlier; with less than a season of history it falls back to the linear trend.
public enum EmissionForecast {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case linearTrend = "linear"
        case seasonalNaive = "seasonal_naive"
    }

    /// The method that actually produces the forecast: seasonal-naive needs a whole season of
    /// history and falls back to the linear trend without one.
    public static func appliedMethod(_ method: Method, historyCount: Int, season: Int = 12) -> Method {
        method == .seasonalNaive && (season <= 0 || historyCount < season) ? .linearTrend : method
    }

    /// `horizon` values following `history` (oldest first).
    public static func forecast(_ history: [Double], horizon: Int, method: Method, season: Int = 12) -> [Double] {
        switch method {
        case .linearTrend: return linearTrend(history, horizon: horizon)
        case .seasonalNaive: return seasonalNaive(history, horizon: horizon, season: season)
        }
    }

    public static func linearTrend(_ history: [Double], horizon: Int) -> [Double] {
        guard horizon > 0 else { return [] }
        let n = history.count
        guard n > 0 else { return Array(repeating: 0, count: horizon) }
        guard n > 1 else { return Array(repeating: max(0, history[0]), count: horizon) }
        let meanX = Double(n - 1) / 2
        let meanY = history.reduce(0, +) / Double(n)
        var sxy = 0.0
        var sxx = 0.0
        for (i, y) in history.enumerated() {
            let dx = Double(i) - meanX
            sxy += dx * (y - meanY)
            sxx += dx * dx
        }
        let slope = sxy / sxx
        let intercept = meanY - slope * meanX
        return (0..<horizon).map { max(0, intercept + slope * Double(n + $0)) }
    }

    public static func seasonalNaive(_ history: [Double], horizon: Int, season: Int = 12) -> [Double] {
        guard horizon > 0 else { return [] }
        guard season > 0, history.count >= season else { return linearTrend(history, horizon: horizon) }
        var extended = history
        for _ in 0..<horizon { extended.append(extended[extended.count - season]) }
        return Array(extended.suffix(horizon))
    }
}

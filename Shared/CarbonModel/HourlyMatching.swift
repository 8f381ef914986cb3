/// Hourly matching of certificates to consumption (docs/model.md §9, the hourly method): a
/// certificate covers grid electricity only in the hour it was produced for, and only in the
/// site's own grid; what one hour's certificates do not use is not carried to another hour.
public enum HourlyMatching {
    /// One hour's grid electricity split into the part certificates of that hour cover and the
    /// part priced at the residual mix.
    public struct Match: Sendable, Hashable {
        /// min(grid, certificates): carbon-free grid energy of the hour, kWh.
        public var covered: Double
        /// max(0, grid − certificates), kWh.
        public var uncovered: Double
    }

    /// Matches one hour: negative certificate volumes count as none.
    public static func match(grid: Double, certificates: Double) -> Match {
        let usable = max(0, certificates)
        return Match(covered: min(grid, usable), uncovered: max(0, grid - usable))
    }

    /// The certificates of each hour (several records of one hour added up).
    public static func certificatesByHour(_ hourly: [HourlyAmount]) -> [Int64: Double] {
        var byHour: [Int64: Double] = [:]
        byHour.reserveCapacity(hourly.count)
        for entry in hourly where entry.amount != 0 { byHour[entry.hour, default: 0] += entry.amount }
        return byHour
    }
}

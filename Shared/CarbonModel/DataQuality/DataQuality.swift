/// How an hourly amount of a metered series came to be: read from the meter, filled in a gap
/// by interpolation, read but flagged as an outlier (kept, not dropped), or spread over the
/// hour from a longer reading by a load profile.
public enum DataQuality: String, Codable, Sendable, Hashable {
    case measured
    case filled
    case flagged
    /// Never given by the meter checks (``MeterSeriesQuality``), which see readings only.
    case profiled
}

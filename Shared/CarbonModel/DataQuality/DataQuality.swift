/// How an hourly amount of a metered series came to be: read from the meter, filled in a gap
/// by interpolation, or read but flagged as an outlier (kept, not dropped).
public enum DataQuality: String, Codable, Sendable, Hashable {
    case measured
    case filled
    case flagged
}

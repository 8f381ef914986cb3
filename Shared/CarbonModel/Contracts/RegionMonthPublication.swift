/// The calculator's results for one region and month, sent to the reporter as
/// `results.region_month.v1`. A later `version` replaces every row of an earlier one.
public struct RegionMonthPublication: Codable, Sendable, Hashable {
    public static let messageType = "results.region_month.v1"

    public var region: String
    public var month: CalendarMonth
    public var version: Int
    /// ISO 8601 time of the calculation.
    public var calculatedAt: String
    public var result: RegionMonthResult
    /// Each tagged tenant cell split by each of its tag keys (``TagBreakdown``); nil when no
    /// usage carried tags, and absent from publications older than tag breakdowns.
    public var tagParts: [TagPart]? = nil

    enum CodingKeys: String, CodingKey {
        case region, month, version, result
        case calculatedAt = "calculated_at"
        case tagParts = "tag_parts"
    }

    public init(region: String, month: CalendarMonth, version: Int, calculatedAt: String, result: RegionMonthResult) {
        self.region = region
        self.month = month
        self.version = version
        self.calculatedAt = calculatedAt
        self.result = result
    }
}

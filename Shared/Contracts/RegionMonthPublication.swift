import CarbonModel
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
    /// The version this publication changes, when it is a change set: then `result.tenants`
    /// and `tagParts` hold only the tenant cells that changed since `baseVersion` (each with
    /// all of its tag parts), `removedTenants` the cells that are gone, and every other tenant
    /// cell stays as it was. Its sites and products are always complete. Nil: the publication
    /// is the whole region-month (the first one, and those of stores from before change sets).
    public var baseVersion: Int? = nil
    /// Tenant cells held at `baseVersion` that no longer exist; only in a change set.
    public var removedTenants: [TenantCellRef]? = nil
    /// Every factor behind any figure of the whole region-month, including the tenant cells a
    /// change set leaves out; nil in publications from before change sets (then
    /// `result.allFactorsUsed` is complete).
    public var factorsUsed: [FactorReference]? = nil
    /// A large version travels as several pages (``PublicationPages``): `page` of `pages`,
    /// counted from 1. Every page but the last carries only tenant cells (with their tag parts
    /// and hours) and removals; the last carries the rest, and the version is applied when it
    /// arrives. Nil: the version is one message.
    public var page: Int? = nil
    public var pages: Int? = nil
    /// Measured tenant cells in their compact form (``RegionMonthPublication/compacted()``),
    /// besides any in `result.tenants`.
    public var measuredCells: [MeasuredCell]? = nil
    /// Tag parts in their compact form, besides any in `tagParts`.
    public var tagShares: [TagShare]? = nil
    /// The calculator partition that published this version, when several calculators share
    /// the work (``CalculatorPartition``): the version holds only that partition's cells, and
    /// `version` and `baseVersion` count that partition's versions. Nil: a single calculator,
    /// and the version holds every cell of the region-month.
    public var partition: CalculatorPartition? = nil

    enum CodingKeys: String, CodingKey {
        case region, month, version, result
        case calculatedAt = "calculated_at"
        case tagParts = "tag_parts"
        case baseVersion = "base_version"
        case removedTenants = "removed_tenants"
        case factorsUsed = "factors_used"
        case page, pages
        case measuredCells = "measured_cells"
        case tagShares = "tag_shares"
        case partition
    }

    /// True when this message completes its version: a single message, or the last page.
    public var isLastPage: Bool { page == nil || page == pages }

    /// Every factor the version was calculated with.
    public var allFactorsUsed: [FactorReference] { factorsUsed ?? result.allFactorsUsed }

    public init(region: String, month: CalendarMonth, version: Int, calculatedAt: String, result: RegionMonthResult) {
        self.region = region
        self.month = month
        self.version = version
        self.calculatedAt = calculatedAt
        self.result = result
    }
}

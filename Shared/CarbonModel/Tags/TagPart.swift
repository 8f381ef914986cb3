/// One part of a tenant cell (tenant, product, region, month) split by a tag: the emissions
/// of the usage that carried `value` under the tag `key` (or ``TagBreakdown/untagged`` for the
/// usage without that key). The parts of one key sum to the tenant cell.
public struct TagPart: Codable, Sendable, Hashable {
    public var tenant: String
    public var product: String
    public var region: String
    public var month: CalendarMonth
    /// The tag's name, e.g. `project` or `cost_centre`.
    public var key: String
    public var value: String
    /// The usage behind this part, in the product's unit.
    public var usage: Double
    public var figures: EmissionFigures
    /// The tenant cell's mode, so measured and estimated parts are never summed silently.
    public var mode: ResultMode
    /// The part's fraction of the tenant cell (its usage over the cell's), so that a holder of
    /// the cell can derive the part's figures from the cell's current ones; nil in
    /// publications from before change sets.
    public var share: Double? = nil

    public init(
        tenant: String, product: String, region: String, month: CalendarMonth, key: String, value: String, usage: Double,
        figures: EmissionFigures, mode: ResultMode, share: Double? = nil
    ) {
        self.share = share
        self.tenant = tenant
        self.product = product
        self.region = region
        self.month = month
        self.key = key
        self.value = value
        self.usage = usage
        self.figures = figures
        self.mode = mode
    }
}

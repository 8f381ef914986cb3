/// What identifies a series of amounts in the calculator (one row of its `series` table): where,
/// which kind of activity, for which product and tenant, and the substance (or, for estimable
/// usage, the estimation profile key).
public struct SeriesIdentity: Sendable, Hashable {
    public var region, site, kind, product, tenant, substance: String

    public init(region: String, site: String, kind: String, product: String, tenant: String, substance: String) {
        self.region = region
        self.site = site
        self.kind = kind
        self.product = product
        self.tenant = tenant
        self.substance = substance
    }
}

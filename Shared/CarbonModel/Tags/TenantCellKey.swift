/// A tenant's use of one product within a region-month: the cell a tag breakdown splits.
public struct TenantCellKey: Hashable, Sendable {
    public var tenant: String
    public var product: String

    public init(tenant: String, product: String) {
        self.tenant = tenant
        self.product = product
    }
}

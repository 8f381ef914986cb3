import CarbonModel
/// Names one tenant cell of a region-month: a tenant's use of a product, measured or estimated
/// (a tenant can hold both for the same product).
public struct TenantCellRef: Codable, Sendable, Hashable, Comparable {
    public var tenant: String
    public var product: String
    public var mode: ResultMode

    public init(tenant: String, product: String, mode: ResultMode) {
        self.tenant = tenant
        self.product = product
        self.mode = mode
    }

    public init(_ cell: TenantResult) {
        self.init(tenant: cell.tenant, product: cell.product, mode: cell.mode)
    }

    public static func < (a: TenantCellRef, b: TenantCellRef) -> Bool {
        (a.tenant, a.product, a.mode.rawValue) < (b.tenant, b.product, b.mode.rawValue)
    }
}

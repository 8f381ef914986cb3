/// A tenant's usage of a product in a region-month that carries resource details: one series
/// per (tenant, product, profile). The calculator estimates it when the product has no facility
/// data in the region that month, and otherwise allocates it like any other usage.
public struct EstimableUsage: Sendable, Hashable {
    public var tenant: String
    public var product: String
    public var profile: EstimationProfile
    /// Per hour, in `profile.resource.quantityUnit` (vCPU-h, GB-h, TB-h or GB).
    public var hourly: [HourlyAmount]
    /// The month's total in the product's allocation unit (the `usage` column of a result).
    public var usage: Double

    public init(tenant: String, product: String, profile: EstimationProfile, hourly: [HourlyAmount], usage: Double) {
        self.tenant = tenant
        self.product = product
        self.profile = profile
        self.hourly = hourly
        self.usage = usage
    }
}

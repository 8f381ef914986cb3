/// One result cell's figures hour by hour over its month: `scope1[i]` etc. belong to the hour
/// starting at `month.start + i × 3600`. Column arrays rather than one object per hour, because
/// a month has up to 744 hours and the publication carries a series per site and product.
///
/// Σ_i of a column equals the cell's monthly figure to floating-point rounding.
public struct HourlySeries: Codable, Sendable, Hashable {
    /// Which cell: `site`, `product_site`, `product` (per region) or `tenant` (estimated cells
    /// only: a measured tenant's hours are `share × ` its product's hours, derived by the reporter).
    public var layer: String
    /// `total` (the cell's figures) or `unallocated` (its unallocated part, site and product layers).
    public var part: String
    public var site: String?
    public var product: String?
    public var tenant: String?
    public var scope1: [Double]
    public var scope2Location: [Double]
    public var scope2Market: [Double]
    public var scope3: [Double]
    public var energyKWh: [Double]

    public init(layer: String, part: String = "total", site: String? = nil, product: String? = nil, tenant: String? = nil, hours: [EmissionFigures]) {
        self.layer = layer
        self.part = part
        self.site = site
        self.product = product
        self.tenant = tenant
        scope1 = hours.map(\.scope1)
        scope2Location = hours.map(\.scope2Location)
        scope2Market = hours.map(\.scope2Market)
        scope3 = hours.map(\.scope3)
        energyKWh = hours.map(\.energyKWh)
    }

    /// The figures of hour `index` of the month.
    public func figures(at index: Int) -> EmissionFigures {
        EmissionFigures(
            scope1: scope1[index], scope2Location: scope2Location[index], scope2Market: scope2Market[index], scope3: scope3[index],
            energyKWh: energyKWh[index])
    }

    public var count: Int { scope1.count }

    private enum CodingKeys: String, CodingKey {
        case layer, part, site, product, tenant, scope1
        case scope2Location = "scope2_location"
        case scope2Market = "scope2_market"
        case scope3
        case energyKWh = "energy_kwh"
    }
}

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
    public var scope2MarketHourly: [Double]
    public var cfeKWh: [Double]

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
        scope2MarketHourly = hours.map(\.scope2MarketHourly)
        cfeKWh = hours.map(\.cfeKWh)
    }

    /// The figures of hour `index` of the month.
    public func figures(at index: Int) -> EmissionFigures {
        EmissionFigures(
            scope1: scope1[index], scope2Location: scope2Location[index], scope2Market: scope2Market[index], scope3: scope3[index],
            energyKWh: energyKWh[index], scope2MarketHourly: scope2MarketHourly[index], cfeKWh: cfeKWh[index])
    }

    public var count: Int { scope1.count }

    /// The figures of every hour when all hours are equal — a month that holds nothing but
    /// amortized embodied emissions, spread evenly — else nil.
    public var uniformFigures: EmissionFigures? {
        guard count > 0 else { return nil }
        for column in [scope1, scope2Location, scope2Market, scope3, energyKWh, scope2MarketHourly, cfeKWh] {
            let first = column[0]
            if column.contains(where: { $0 != first }) { return nil }
        }
        return figures(at: 0)
    }

    /// The most hours a month has (31 days; a month with the autumn daylight-saving change
    /// has no more in UTC).
    public static let maximumHours = 744

    private enum CodingKeys: String, CodingKey {
        case layer, part, site, product, tenant, scope1
        case scope2Location = "scope2_location"
        case scope2Market = "scope2_market"
        case scope3
        case energyKWh = "energy_kwh"
        case scope2MarketHourly = "scope2_market_hourly"
        case cfeKWh = "cfe_kwh"
        case uniformHours = "uniform_hours"
    }

    /// A series whose hours are all equal is sent as one value per column and its number of
    /// hours (`uniform_hours`), not as hundreds of copies.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(layer, forKey: .layer)
        try c.encode(part, forKey: .part)
        try c.encodeIfPresent(site, forKey: .site)
        try c.encodeIfPresent(product, forKey: .product)
        try c.encodeIfPresent(tenant, forKey: .tenant)
        if count > 1, let uniform = uniformFigures {
            try c.encode(count, forKey: .uniformHours)
            try c.encode([uniform.scope1], forKey: .scope1)
            try c.encode([uniform.scope2Location], forKey: .scope2Location)
            try c.encode([uniform.scope2Market], forKey: .scope2Market)
            try c.encode([uniform.scope3], forKey: .scope3)
            try c.encode([uniform.energyKWh], forKey: .energyKWh)
            try c.encode([uniform.scope2MarketHourly], forKey: .scope2MarketHourly)
            try c.encode([uniform.cfeKWh], forKey: .cfeKWh)
        } else {
            try c.encode(scope1, forKey: .scope1)
            try c.encode(scope2Location, forKey: .scope2Location)
            try c.encode(scope2Market, forKey: .scope2Market)
            try c.encode(scope3, forKey: .scope3)
            try c.encode(energyKWh, forKey: .energyKWh)
            try c.encode(scope2MarketHourly, forKey: .scope2MarketHourly)
            try c.encode(cfeKWh, forKey: .cfeKWh)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        layer = try c.decode(String.self, forKey: .layer)
        part = try c.decode(String.self, forKey: .part)
        site = try c.decodeIfPresent(String.self, forKey: .site)
        product = try c.decodeIfPresent(String.self, forKey: .product)
        tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
        var columns = try [CodingKeys.scope1, .scope2Location, .scope2Market, .scope3, .energyKWh].map { try c.decode([Double].self, forKey: $0) }
        // Absent from series written before the hourly method existed: zeros of the same length.
        for key in [CodingKeys.scope2MarketHourly, .cfeKWh] {
            columns.append(try c.decodeIfPresent([Double].self, forKey: key) ?? Array(repeating: 0, count: columns[0].count))
        }
        guard columns.allSatisfy({ $0.count == columns[0].count }) else {
            throw DecodingError.dataCorruptedError(forKey: .scope1, in: c, debugDescription: "hourly columns of different lengths")
        }
        if let hours = try c.decodeIfPresent(Int.self, forKey: .uniformHours) {
            guard (1...Self.maximumHours).contains(hours), columns[0].count == 1 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .uniformHours, in: c, debugDescription: "uniform_hours \(hours) needs one value per column and 1…\(Self.maximumHours) hours")
            }
            columns = columns.map { Array(repeating: $0[0], count: hours) }
        }
        scope1 = columns[0]
        scope2Location = columns[1]
        scope2Market = columns[2]
        scope3 = columns[3]
        energyKWh = columns[4]
        scope2MarketHourly = columns[5]
        cfeKWh = columns[6]
    }
}

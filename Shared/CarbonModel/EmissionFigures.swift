/// The emissions (kg CO2e, by GHG scope) and energy (kWh) of one accounting entity —
/// a site, a product at a site or in a region, a tenant, or what is left unallocated.
///
/// Scope 2 is carried location-based and market-based because the GHG Protocol asks for dual
/// reporting, and market-based in two ways side by side: with certificates matched per
/// calendar month (`scope2Market`) and hour by hour within the site's grid
/// (`scope2MarketHourly`, docs/model.md §9). The totals come in each flavour and are never mixed.
/// `cfeKWh` is the carbon-free part of `energyKWh`: on-site renewables plus the grid
/// electricity covered by certificates of the same hour. `waterL` is the water consumed
/// (withdrawn minus discharged, docs/model.md §21), allocated like the energy; it can be
/// negative where a period's discharge exceeds its withdrawal, and is then kept, not clipped.
public struct EmissionFigures: Codable, Sendable, Hashable {
    public var scope1: Double
    public var scope2Location: Double
    public var scope2Market: Double
    public var scope3: Double
    public var energyKWh: Double
    /// Market-based scope 2 with certificates matched hour by hour within the grid.
    public var scope2MarketHourly: Double
    /// Carbon-free energy, kWh: on-site renewables + Σ_h min(grid(h), certificates(h)).
    public var cfeKWh: Double
    /// Water consumed, L: withdrawal − discharge.
    public var waterL: Double

    public init(
        scope1: Double = 0, scope2Location: Double = 0, scope2Market: Double = 0,
        scope3: Double = 0, energyKWh: Double = 0, scope2MarketHourly: Double = 0, cfeKWh: Double = 0, waterL: Double = 0
    ) {
        self.scope1 = scope1
        self.scope2Location = scope2Location
        self.scope2Market = scope2Market
        self.scope3 = scope3
        self.energyKWh = energyKWh
        self.scope2MarketHourly = scope2MarketHourly
        self.cfeKWh = cfeKWh
        self.waterL = waterL
    }

    public static let zero = EmissionFigures()

    /// Scope 1 + scope 2 location-based + scope 3.
    public var totalLocation: Double { scope1 + scope2Location + scope3 }
    /// Scope 1 + scope 2 market-based (monthly matching) + scope 3.
    public var totalMarket: Double { scope1 + scope2Market + scope3 }
    /// Scope 1 + scope 2 market-based (hourly matching) + scope 3.
    public var totalMarketHourly: Double { scope1 + scope2MarketHourly + scope3 }
    /// The carbon-free share of the energy, 0…1; 0 when there is no energy.
    public var cfeShare: Double { energyKWh > 0 ? cfeKWh / energyKWh : 0 }

    /// Every scope, the energy and the water multiplied by `factor` — how shares and weights are applied.
    public func scaled(by factor: Double) -> EmissionFigures {
        EmissionFigures(
            scope1: scope1 * factor, scope2Location: scope2Location * factor,
            scope2Market: scope2Market * factor, scope3: scope3 * factor,
            energyKWh: energyKWh * factor, scope2MarketHourly: scope2MarketHourly * factor, cfeKWh: cfeKWh * factor,
            waterL: waterL * factor)
    }

    public static func + (lhs: EmissionFigures, rhs: EmissionFigures) -> EmissionFigures {
        EmissionFigures(
            scope1: lhs.scope1 + rhs.scope1,
            scope2Location: lhs.scope2Location + rhs.scope2Location,
            scope2Market: lhs.scope2Market + rhs.scope2Market,
            scope3: lhs.scope3 + rhs.scope3,
            energyKWh: lhs.energyKWh + rhs.energyKWh,
            scope2MarketHourly: lhs.scope2MarketHourly + rhs.scope2MarketHourly,
            cfeKWh: lhs.cfeKWh + rhs.cfeKWh, waterL: lhs.waterL + rhs.waterL)
    }

    public static func - (lhs: EmissionFigures, rhs: EmissionFigures) -> EmissionFigures {
        EmissionFigures(
            scope1: lhs.scope1 - rhs.scope1,
            scope2Location: lhs.scope2Location - rhs.scope2Location,
            scope2Market: lhs.scope2Market - rhs.scope2Market,
            scope3: lhs.scope3 - rhs.scope3,
            energyKWh: lhs.energyKWh - rhs.energyKWh,
            scope2MarketHourly: lhs.scope2MarketHourly - rhs.scope2MarketHourly,
            cfeKWh: lhs.cfeKWh - rhs.cfeKWh, waterL: lhs.waterL - rhs.waterL)
    }

    public static func += (lhs: inout EmissionFigures, rhs: EmissionFigures) {
        lhs = lhs + rhs
    }

    public static func -= (lhs: inout EmissionFigures, rhs: EmissionFigures) {
        lhs = lhs - rhs
    }

    private enum CodingKeys: String, CodingKey {
        case scope1
        case scope2Location = "scope2_location"
        case scope2Market = "scope2_market"
        case scope3
        case energyKWh = "energy_kwh"
        case totalLocation = "total_location"
        case totalMarket = "total_market"
        case scope2MarketHourly = "scope2_market_hourly"
        case totalMarketHourly = "total_market_hourly"
        case cfeKWh = "cfe_kwh"
        case cfeShare = "cfe_share"
        case waterL = "water_l"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // The totals and the share are derived, so they are not trusted on the way in. The
        // hourly-matched figure and the CFE energy are absent from figures written before they
        // existed; those read as 0 until their region-month is recalculated.
        self.init(
            scope1: try container.decode(Double.self, forKey: .scope1),
            scope2Location: try container.decode(Double.self, forKey: .scope2Location),
            scope2Market: try container.decode(Double.self, forKey: .scope2Market),
            scope3: try container.decode(Double.self, forKey: .scope3),
            energyKWh: try container.decode(Double.self, forKey: .energyKWh),
            scope2MarketHourly: try container.decodeIfPresent(Double.self, forKey: .scope2MarketHourly) ?? 0,
            cfeKWh: try container.decodeIfPresent(Double.self, forKey: .cfeKWh) ?? 0,
            waterL: try container.decodeIfPresent(Double.self, forKey: .waterL) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        // Readers of reports (CSV, HTML, other services) want the totals without re-deriving them.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scope1, forKey: .scope1)
        try container.encode(scope2Location, forKey: .scope2Location)
        try container.encode(scope2Market, forKey: .scope2Market)
        try container.encode(scope3, forKey: .scope3)
        try container.encode(energyKWh, forKey: .energyKWh)
        try container.encode(totalLocation, forKey: .totalLocation)
        try container.encode(totalMarket, forKey: .totalMarket)
        try container.encode(scope2MarketHourly, forKey: .scope2MarketHourly)
        try container.encode(totalMarketHourly, forKey: .totalMarketHourly)
        try container.encode(cfeKWh, forKey: .cfeKWh)
        try container.encode(cfeShare, forKey: .cfeShare)
        try container.encode(waterL, forKey: .waterL)
    }
}

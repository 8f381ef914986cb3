/// The emissions (kg CO2e, by GHG scope) and energy (kWh) of one accounting entity —
/// a site, a product at a site or in a region, a tenant, or what is left unallocated.
///
/// Scope 2 is carried both location-based and market-based because the GHG Protocol asks for
/// dual reporting; the totals therefore come in both flavours and are never mixed.
public struct EmissionFigures: Codable, Sendable, Hashable {
    public var scope1: Double
    public var scope2Location: Double
    public var scope2Market: Double
    public var scope3: Double
    public var energyKWh: Double

    public init(
        scope1: Double = 0, scope2Location: Double = 0, scope2Market: Double = 0,
        scope3: Double = 0, energyKWh: Double = 0
    ) {
        self.scope1 = scope1
        self.scope2Location = scope2Location
        self.scope2Market = scope2Market
        self.scope3 = scope3
        self.energyKWh = energyKWh
    }

    public static let zero = EmissionFigures()

    /// Scope 1 + scope 2 location-based + scope 3.
    public var totalLocation: Double { scope1 + scope2Location + scope3 }
    /// Scope 1 + scope 2 market-based + scope 3.
    public var totalMarket: Double { scope1 + scope2Market + scope3 }

    /// Every scope and the energy multiplied by `factor` — how shares and weights are applied.
    public func scaled(by factor: Double) -> EmissionFigures {
        EmissionFigures(
            scope1: scope1 * factor, scope2Location: scope2Location * factor,
            scope2Market: scope2Market * factor, scope3: scope3 * factor,
            energyKWh: energyKWh * factor)
    }

    public static func + (lhs: EmissionFigures, rhs: EmissionFigures) -> EmissionFigures {
        EmissionFigures(
            scope1: lhs.scope1 + rhs.scope1,
            scope2Location: lhs.scope2Location + rhs.scope2Location,
            scope2Market: lhs.scope2Market + rhs.scope2Market,
            scope3: lhs.scope3 + rhs.scope3,
            energyKWh: lhs.energyKWh + rhs.energyKWh)
    }

    public static func - (lhs: EmissionFigures, rhs: EmissionFigures) -> EmissionFigures {
        EmissionFigures(
            scope1: lhs.scope1 - rhs.scope1,
            scope2Location: lhs.scope2Location - rhs.scope2Location,
            scope2Market: lhs.scope2Market - rhs.scope2Market,
            scope3: lhs.scope3 - rhs.scope3,
            energyKWh: lhs.energyKWh - rhs.energyKWh)
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
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // The totals are derived, so they are not trusted on the way in.
        self.init(
            scope1: try container.decode(Double.self, forKey: .scope1),
            scope2Location: try container.decode(Double.self, forKey: .scope2Location),
            scope2Market: try container.decode(Double.self, forKey: .scope2Market),
            scope3: try container.decode(Double.self, forKey: .scope3),
            energyKWh: try container.decode(Double.self, forKey: .energyKWh))
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
    }
}

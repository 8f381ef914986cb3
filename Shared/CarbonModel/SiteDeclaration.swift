/// A data center as the provider declares it: the region customers buy in and the grid
/// whose emission factors apply to its purchased electricity, and optionally the daily or
/// weekly shape of its load, by which a grid-electricity record covering many hours is spread
/// over them (docs/model.md §6).
public struct SiteDeclaration: Codable, Sendable, Hashable {
    public var site: String
    public var region: String
    public var grid: String
    /// The site's load profile as ``LoadProfile/text``; nil spreads longer records evenly.
    public var loadProfile: String?
    /// Installed IT power, kW, for the data-centre report (docs/model.md §21); nil: not declared.
    public var itPowerKW: Double?
    /// Floor area, m²; nil: not declared.
    public var floorAreaM2: Double?
    /// Tier or availability class, as the operator names it; nil: not declared.
    public var tier: String?

    public init(
        site: String, region: String, grid: String, loadProfile: String? = nil, itPowerKW: Double? = nil, floorAreaM2: Double? = nil,
        tier: String? = nil
    ) {
        self.site = site
        self.region = region
        self.grid = grid
        self.loadProfile = loadProfile
        self.itPowerKW = itPowerKW
        self.floorAreaM2 = floorAreaM2
        self.tier = tier
    }

    private enum CodingKeys: String, CodingKey {
        case site, region, grid
        case loadProfile = "load_profile"
        case itPowerKW = "it_power_kw"
        case floorAreaM2 = "floor_area_m2"
        case tier
    }
}

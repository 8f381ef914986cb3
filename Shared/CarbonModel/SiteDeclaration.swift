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

    public init(site: String, region: String, grid: String, loadProfile: String? = nil) {
        self.site = site
        self.region = region
        self.grid = grid
        self.loadProfile = loadProfile
    }

    private enum CodingKeys: String, CodingKey {
        case site, region, grid
        case loadProfile = "load_profile"
    }
}

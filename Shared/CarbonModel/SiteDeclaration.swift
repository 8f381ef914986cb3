/// A data center as the provider declares it: the region customers buy in and the grid
/// whose emission factors apply to its purchased electricity.
public struct SiteDeclaration: Codable, Sendable, Hashable {
    public var site: String
    public var region: String
    public var grid: String

    public init(site: String, region: String, grid: String) {
        self.site = site
        self.region = region
        self.grid = grid
    }
}

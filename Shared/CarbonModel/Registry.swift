/// The sites and products declared so far: what the validator checks records against.
/// `regions` is derived from the sites, because a region exists only through its sites.
public struct Registry: Sendable, Hashable {
    public private(set) var sites: [String: SiteDeclaration]
    public private(set) var products: [String: ProductDeclaration]
    /// The regions of the declared sites, kept up to date by `declare(_:)`.
    public private(set) var regions: Set<String>
    /// The grids of the declared sites (the market boundaries certificates may name).
    public private(set) var grids: Set<String>

    /// `sites` and `products` are keyed by their `site` and `product` names.
    public init(sites: [String: SiteDeclaration] = [:], products: [String: ProductDeclaration] = [:]) {
        self.sites = sites
        self.products = products
        self.regions = Set(sites.values.map(\.region))
        self.grids = Set(sites.values.map(\.grid))
    }

    /// Adds a site, or replaces the declaration of a site with the same name.
    public mutating func declare(_ site: SiteDeclaration) {
        sites[site.site] = site
        // Recomputed, not inserted: a re-declared site may have left the only site of its old region.
        regions = Set(sites.values.map(\.region))
        grids = Set(sites.values.map(\.grid))
    }

    /// Adds a product, or replaces the declaration of a product with the same name.
    public mutating func declare(_ product: ProductDeclaration) {
        products[product.product] = product
    }
}

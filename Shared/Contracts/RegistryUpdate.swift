import CarbonModel
/// Declarations accepted by the preprocessor, forwarded to the calculator as
/// `registry.update.v1` so that both hold the same sites, products and factors.
public struct RegistryUpdate: Codable, Sendable, Hashable {
    public static let messageType = "registry.update.v1"

    public var sites: [SiteDeclaration]
    public var products: [ProductDeclaration]
    public var factors: [EmissionFactor]

    public init(sites: [SiteDeclaration] = [], products: [ProductDeclaration] = [], factors: [EmissionFactor] = []) {
        self.sites = sites
        self.products = products
        self.factors = factors
    }

    public var isEmpty: Bool { sites.isEmpty && products.isEmpty && factors.isEmpty }
}

/// The message type of a JSON array of `NormalizedRecord`s, preprocessor → calculator.
public enum NormalizedActivity {
    public static let messageType = "activity.normalized.v1"
}

/// How a product's emissions are divided among its customers (docs/model.md §13).
public enum AllocationBasis: String, Codable, Sendable, Hashable, CaseIterable {
    /// `D = Σ_c usage(c,p,r)`: everything is allocated to the customers who used the product.
    case usage
    /// `D = max(capacity(p,r), Σ_c usage)`: idle capacity stays with the provider as unallocated.
    case capacity
}

/// A cloud product as the provider declares it: the unit its usage is measured in and the
/// basis on which its emissions are allocated to tenants.
public struct ProductDeclaration: Codable, Sendable, Hashable {
    public var product: String
    /// The allocation unit, e.g. `vCPU-h`, `GB-h`, `GB`.
    public var unit: String
    public var basis: AllocationBasis

    public init(product: String, unit: String, basis: AllocationBasis = .usage) {
        self.product = product
        self.unit = unit
        self.basis = basis
    }
}

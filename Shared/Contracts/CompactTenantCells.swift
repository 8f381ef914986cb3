import CarbonModel
/// A measured tenant cell as a publication carries it: its figures, share and quality are
/// `usage / D` of its product's (the product row of the same publication), so only the usage
/// travels. Encoded as `[tenant, product, usage]`.
public struct MeasuredCell: Codable, Sendable, Hashable {
    public var tenant: String
    public var product: String
    public var usage: Double

    public init(tenant: String, product: String, usage: Double) {
        self.tenant = tenant
        self.product = product
        self.usage = usage
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        tenant = try c.decode(String.self)
        product = try c.decode(String.self)
        usage = try c.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(tenant)
        try c.encode(product)
        try c.encode(usage)
    }
}

/// A tag part as a publication carries it: its figures are `share ×` its tenant cell's, so
/// only its usage and share travel. Encoded as `[tenant, product, mode, key, value, usage, share]`.
public struct TagShare: Codable, Sendable, Hashable {
    public var tenant: String
    public var product: String
    public var mode: ResultMode
    public var key: String
    public var value: String
    public var usage: Double
    public var share: Double

    public init(tenant: String, product: String, mode: ResultMode, key: String, value: String, usage: Double, share: Double) {
        self.tenant = tenant
        self.product = product
        self.mode = mode
        self.key = key
        self.value = value
        self.usage = usage
        self.share = share
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        tenant = try c.decode(String.self)
        product = try c.decode(String.self)
        mode = try c.decode(ResultMode.self)
        key = try c.decode(String.self)
        value = try c.decode(String.self)
        usage = try c.decode(Double.self)
        share = try c.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(tenant)
        try c.encode(product)
        try c.encode(mode)
        try c.encode(key)
        try c.encode(value)
        try c.encode(usage)
        try c.encode(share)
    }
}

extension RegionMonthPublication {
    /// The same publication with its measured tenant cells and shared tag parts in their
    /// compact forms (``MeasuredCell``, ``TagShare``): a third of the values to encode and
    /// decode, and nothing the reporter needs is lost.
    public func compacted() -> RegionMonthPublication {
        var out = self
        let measured = result.tenants.filter { $0.mode == .measured }
        if !measured.isEmpty {
            out.result.tenants = result.tenants.filter { $0.mode != .measured }
            out.measuredCells = (measuredCells ?? []) + measured.map { MeasuredCell(tenant: $0.tenant, product: $0.product, usage: $0.usage) }
        }
        let shared = (tagParts ?? []).filter { $0.share != nil }
        if !shared.isEmpty {
            let rest = (tagParts ?? []).filter { $0.share == nil }
            out.tagParts = rest.isEmpty ? nil : rest
            out.tagShares =
                (tagShares ?? [])
                + shared.map {
                    TagShare(tenant: $0.tenant, product: $0.product, mode: $0.mode, key: $0.key, value: $0.value, usage: $0.usage, share: $0.share ?? 1)
                }
        }
        return out
    }
}

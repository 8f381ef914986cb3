import Foundation

/// An activity record after validation and normalization: value in integer micro-units of a
/// canonical unit, times as epoch seconds, region resolved. This is what the preprocessor sends
/// the calculator (`activity.normalized.v1`), and what deduplication compares.
public struct NormalizedRecord: Codable, Sendable, Hashable {
    public var source: String
    public var id: String
    /// The tenant whose credentials wrote the record; nil for the provider's records (and for
    /// every record of a suite without authentication). Part of the record's identity: the
    /// record is `(owner, source, id)`, so no one can revise or repeat another owner's record by
    /// reusing its `source` and `id`.
    public var owner: String?
    /// 0 until the preprocessor assigns it (1 for the first version of `(source, id)`).
    /// Excluded from `canonicalEncoding()`, since it is not part of what the sender said.
    public var revision: Int
    public var kind: ActivityKind
    /// Epoch seconds, inclusive.
    public var start: Int64
    /// Epoch seconds, exclusive; for `hardware.embodied`, `start + lifetimeMonths` calendar months.
    public var end: Int64
    /// Micro-units (1e-6) of `unit`, rounded half away from zero. Integers, so that sums,
    /// splits and the subtraction of a revised record are exact.
    public var amount: Int64
    /// The canonical unit (kWh, L, kg, kgCO2e) or, for usage and capacity, the product's
    /// allocation unit.
    public var unit: String
    public var site: String?
    /// Always set: taken from the site when the record names one.
    public var region: String
    public var product: String?
    public var tenant: String?
    /// The fuel (`facility.fuel`) or gas (`facility.refrigerant`) name.
    public var substance: String?
    public var lifetimeMonths: Int?
    public var resource: String?
    public var utilization: Double?
    /// Usage only, estimation mode: the cloud provider (`aws`, `gcp`, `azure`, `ali`).
    public var provider: String?
    /// Usage only, estimation mode: what the value measures (`compute`, `memory`, `ssd`,
    /// `hdd`, `network`); see ``EstimatedResource``.
    public var resourceType: String?
    /// Usage only, estimation mode: the CCF processor family of compute usage.
    public var processor: String?
    /// Usage only, estimation mode: the provider's replication factor (1 when absent).
    public var replication: Double?
    public var tags: [String: String]?
    /// The load profile (``LoadProfile/text``) the record's amount is spread over its hours by:
    /// grid electricity of a site that declares one, or a certificate that names one. Nil:
    /// spread evenly.
    public var profile: String?

    public init(
        source: String, id: String, revision: Int = 0, kind: ActivityKind, start: Int64, end: Int64, amount: Int64,
        unit: String, site: String? = nil, region: String, product: String? = nil, tenant: String? = nil,
        substance: String? = nil, lifetimeMonths: Int? = nil, resource: String? = nil, utilization: Double? = nil,
        provider: String? = nil, resourceType: String? = nil, processor: String? = nil, replication: Double? = nil,
        tags: [String: String]? = nil, owner: String? = nil, profile: String? = nil
    ) {
        self.source = source
        self.id = id
        self.owner = owner
        self.revision = revision
        self.kind = kind
        self.start = start
        self.end = end
        self.amount = amount
        self.unit = unit
        self.site = site
        self.region = region
        self.product = product
        self.tenant = tenant
        self.substance = substance
        self.lifetimeMonths = lifetimeMonths
        self.resource = resource
        self.utilization = utilization
        self.provider = provider
        self.resourceType = resourceType
        self.processor = processor
        self.replication = replication
        self.tags = tags
        self.profile = profile
    }

    /// The resource details that make a usage record estimable, or nil when it has none.
    public var estimationProfile: EstimationProfile? {
        guard kind == .usage, let provider = provider.flatMap(CloudProvider.init(rawValue:)),
            let resource = resourceType.flatMap(EstimatedResource.init(rawValue:))
        else { return nil }
        return EstimationProfile(
            provider: provider, resource: resource, processor: processor,
            utilization: resource == .compute ? utilization : nil, replication: replication ?? 1)
    }

    /// The value in `unit` as a floating-point number.
    public var value: Double { Double(amount) / 1_000_000 }

    enum CodingKeys: String, CodingKey {
        case source, id, revision, kind, start, end, amount, unit, site, region, product, tenant, substance
        case lifetimeMonths = "lifetime_months"
        case resource, utilization, provider
        case resourceType = "resource_type"
        case processor, replication, tags, owner, profile
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        id = try c.decode(String.self, forKey: .id)
        // Absent from the canonical encoding, which is also stored and decoded.
        revision = try c.decodeIfPresent(Int.self, forKey: .revision) ?? 0
        kind = try c.decode(ActivityKind.self, forKey: .kind)
        start = try c.decode(Int64.self, forKey: .start)
        end = try c.decode(Int64.self, forKey: .end)
        amount = try c.decode(Int64.self, forKey: .amount)
        unit = try c.decode(String.self, forKey: .unit)
        site = try c.decodeIfPresent(String.self, forKey: .site)
        region = try c.decode(String.self, forKey: .region)
        product = try c.decodeIfPresent(String.self, forKey: .product)
        tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
        substance = try c.decodeIfPresent(String.self, forKey: .substance)
        lifetimeMonths = try c.decodeIfPresent(Int.self, forKey: .lifetimeMonths)
        resource = try c.decodeIfPresent(String.self, forKey: .resource)
        utilization = try c.decodeIfPresent(Double.self, forKey: .utilization)
        provider = try c.decodeIfPresent(String.self, forKey: .provider)
        resourceType = try c.decodeIfPresent(String.self, forKey: .resourceType)
        processor = try c.decodeIfPresent(String.self, forKey: .processor)
        replication = try c.decodeIfPresent(Double.self, forKey: .replication)
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        profile = try c.decodeIfPresent(String.self, forKey: .profile)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(id, forKey: .id)
        try c.encode(revision, forKey: .revision)
        try c.encode(kind, forKey: .kind)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(amount, forKey: .amount)
        try c.encode(unit, forKey: .unit)
        try c.encodeIfPresent(site, forKey: .site)
        try c.encode(region, forKey: .region)
        try c.encodeIfPresent(product, forKey: .product)
        try c.encodeIfPresent(tenant, forKey: .tenant)
        try c.encodeIfPresent(substance, forKey: .substance)
        try c.encodeIfPresent(lifetimeMonths, forKey: .lifetimeMonths)
        try c.encodeIfPresent(resource, forKey: .resource)
        try c.encodeIfPresent(utilization, forKey: .utilization)
        try c.encodeIfPresent(provider, forKey: .provider)
        try c.encodeIfPresent(resourceType, forKey: .resourceType)
        try c.encodeIfPresent(processor, forKey: .processor)
        try c.encodeIfPresent(replication, forKey: .replication)
        try c.encodeIfPresent(tags, forKey: .tags)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encodeIfPresent(profile, forKey: .profile)
    }
}

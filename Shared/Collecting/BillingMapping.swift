/// How lines of a cloud billing export become CarbonMeter usage records, read from the JSON
/// file a `billing_export` source names with `mapping` (docs/collectors.md): which provider
/// product and usage type is which CarbonMeter product (and in what unit), which account or tag
/// is which tenant, and which provider region is which CarbonMeter region.
public struct BillingMapping: Sendable, Hashable, Codable {
    /// One product rule; the first rule whose patterns match a line decides its product.
    public struct Rule: Sendable, Hashable, Codable {
        /// AWS `lineItem/ProductCode` (e.g. `AmazonEC2`); GCP `service.description` (e.g. `Compute Engine`).
        public var productCode: GlobPattern
        /// AWS `lineItem/UsageType` (e.g. `*BoxUsage*`); GCP `sku.description`. Absent: any.
        public var usageType: GlobPattern?
        /// The CarbonMeter product the usage is of (declared with `POST /v1/products`).
        public var product: String
        /// The unit of the record's value, which must fit the product's allocation unit (e.g. `vCPU-h`).
        public var unit: String
        /// Multiply the usage amount by a resource detail of the line: `vcpu` turns AWS instance
        /// hours into vCPU-hours, `memory_gib` turns them into GiB-hours. A line without that
        /// detail is rejected.
        public var scaleBy: ResourceDetail?
        /// A constant factor applied after `scale_by` (e.g. `1e-9` for GCP byte-seconds → GB-s).
        public var multiplyBy: Double

        public init(
            productCode: String, usageType: String? = nil, product: String, unit: String, scaleBy: ResourceDetail? = nil,
            multiplyBy: Double = 1
        ) {
            self.productCode = GlobPattern(productCode)
            self.usageType = usageType.map(GlobPattern.init)
            self.product = product
            self.unit = unit
            self.scaleBy = scaleBy
            self.multiplyBy = multiplyBy
        }

        enum CodingKeys: String, CodingKey {
            case product, unit
            case productCode = "product_code"
            case usageType = "usage_type"
            case scaleBy = "scale_by"
            case multiplyBy = "multiply_by"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            productCode = try container.decode(GlobPattern.self, forKey: .productCode)
            usageType = try container.decodeIfPresent(GlobPattern.self, forKey: .usageType)
            product = try container.decode(String.self, forKey: .product)
            unit = try container.decode(String.self, forKey: .unit)
            scaleBy = try container.decodeIfPresent(ResourceDetail.self, forKey: .scaleBy)
            multiplyBy = try container.decodeIfPresent(Double.self, forKey: .multiplyBy) ?? 1
        }

        public func matches(productCode code: String, usageType type: String) -> Bool {
            productCode.matches(code) && (usageType?.matches(type) ?? true)
        }
    }

    /// A resource detail a billing line may carry, used to scale its amount.
    public enum ResourceDetail: String, Sendable, Hashable, Codable {
        case vcpu
        case memoryGiB = "memory_gib"
    }

    /// What to do with a usage line no rule matches (a service CarbonMeter does not account for).
    public enum Unmapped: String, Sendable, Hashable, Codable {
        /// Leave it out, counted by product code in the conversion summary (the default: a bill
        /// lists many services that carry no allocation, such as support or DNS).
        case skip
        /// Reject it: it lands in quarantine with the reason.
        case reject
    }

    public var rules: [Rule]
    /// The tag (AWS `resourceTags/user:<tag>`) or label (GCP `labels`) that names the tenant; it wins over `tenants`.
    public var tenantTag: String?
    /// Account id (AWS `lineItem/UsageAccountId`) or project id (GCP `project.id`) → tenant.
    public var tenants: [String: String]
    /// The tenant of a line neither the tag nor `tenants` names; absent: such a line is rejected.
    public var defaultTenant: String?
    /// Provider region (`us-east-1`, `europe-west1`) → CarbonMeter region; a region not listed is used as it is.
    public var regions: [String: String]
    public var unmapped: Unmapped

    public init(
        rules: [Rule], tenantTag: String? = nil, tenants: [String: String] = [:], defaultTenant: String? = nil,
        regions: [String: String] = [:], unmapped: Unmapped = .skip
    ) {
        self.rules = rules
        self.tenantTag = tenantTag
        self.tenants = tenants
        self.defaultTenant = defaultTenant
        self.regions = regions
        self.unmapped = unmapped
    }

    enum CodingKeys: String, CodingKey {
        case rules, tenants, regions, unmapped
        case tenantTag = "tenant_tag"
        case defaultTenant = "default_tenant"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rules = try container.decode([Rule].self, forKey: .rules)
        tenantTag = try container.decodeIfPresent(String.self, forKey: .tenantTag)
        tenants = try container.decodeIfPresent([String: String].self, forKey: .tenants) ?? [:]
        defaultTenant = try container.decodeIfPresent(String.self, forKey: .defaultTenant)
        regions = try container.decodeIfPresent([String: String].self, forKey: .regions) ?? [:]
        unmapped = try container.decodeIfPresent(Unmapped.self, forKey: .unmapped) ?? .skip
    }

    /// The first rule for this product code and usage type, if any.
    public func rule(productCode: String, usageType: String) -> Rule? {
        rules.first { $0.matches(productCode: productCode, usageType: usageType) }
    }

    /// The tenant of a line: its tenant tag, else its account, else the default.
    public func tenant(account: String?, tags: [String: String]) -> String? {
        if let tenantTag, let tagged = tags[tenantTag], !tagged.isEmpty { return tagged }
        if let account, let mapped = tenants[account] { return mapped }
        return defaultTenant
    }

    public func region(_ providerRegion: String) -> String { regions[providerRegion] ?? providerRegion }
}

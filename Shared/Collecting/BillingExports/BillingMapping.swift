import CarbonModel

/// How lines of a cloud billing export become CarbonMeter usage records, read from the JSON
/// file a `billing_export` source names with `mapping` (docs/collectors.md): which provider
/// product and usage type is which CarbonMeter product (and in what unit), which account or tag
/// is which tenant, and which provider region is which CarbonMeter region.
public struct BillingMapping: Sendable, Hashable, Codable {
    /// One product rule; the first rule whose patterns match a line decides its product.
    public struct Rule: Sendable, Hashable, Codable {
        /// AWS `lineItem/ProductCode` (e.g. `AmazonEC2`); GCP `service.description` (e.g.
        /// `Compute Engine`); FOCUS `ServiceName` (e.g. `Virtual Machines`).
        public var productCode: GlobPattern
        /// AWS `lineItem/UsageType` (e.g. `*BoxUsage*`); GCP `sku.description`; FOCUS `SkuMeter`
        /// (else `SkuId`). Absent: any.
        public var usageType: GlobPattern?
        /// FOCUS: the row's unit (`ConsumedUnit`, or `PricingUnit` where only that is filled),
        /// matched as written and in its canonical spelling (`Hrs` → `Hours`). Absent: any.
        public var consumedUnit: GlobPattern?
        /// The CarbonMeter product the usage is of (declared with `POST /v1/products`).
        public var product: String
        /// The unit of the record's value, which must fit the product's allocation unit (e.g. `vCPU-h`).
        public var unit: String
        /// Multiply the usage amount by a resource detail of the line: `vcpu` turns AWS instance
        /// hours into vCPU-hours, `memory_gib` turns them into GiB-hours. A line without that
        /// detail is rejected.
        public var scaleBy: ResourceDetail?
        /// A constant factor applied after `scale_by` (e.g. `1e-9` for GCP byte-seconds → GB-s).
        /// For FOCUS, when absent, the row's unit is converted to `unit` where CarbonMeter knows both.
        public var multiplyBy: Double
        /// Whether the mapping gave `multiply_by` (FOCUS converts units itself otherwise).
        public var multiplyByGiven: Bool
        /// Estimation mode (docs/model.md §15): what the usage measures (`compute`, `memory`,
        /// `ssd`, `hdd`, `network`). With it, records carry the provider and `resource_type`, so
        /// usage in a region without facility data is estimated instead of left at zero.
        public var resourceType: EstimatedResource?
        /// Estimation mode: the processor family of the usage (as CCF names it, e.g. `CASCADE_LAKE`).
        public var processor: String?

        public init(
            productCode: String, usageType: String? = nil, consumedUnit: String? = nil, product: String, unit: String,
            scaleBy: ResourceDetail? = nil, multiplyBy: Double? = nil, resourceType: EstimatedResource? = nil, processor: String? = nil
        ) {
            self.productCode = GlobPattern(productCode)
            self.usageType = usageType.map(GlobPattern.init)
            self.consumedUnit = consumedUnit.map(GlobPattern.init)
            self.product = product
            self.unit = unit
            self.scaleBy = scaleBy
            self.multiplyBy = multiplyBy ?? 1
            multiplyByGiven = multiplyBy != nil
            self.resourceType = resourceType
            self.processor = processor
        }

        enum CodingKeys: String, CodingKey {
            case product, unit, processor
            case productCode = "product_code"
            case usageType = "usage_type"
            case consumedUnit = "consumed_unit"
            case scaleBy = "scale_by"
            case multiplyBy = "multiply_by"
            case resourceType = "resource_type"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            productCode = try container.decode(GlobPattern.self, forKey: .productCode)
            usageType = try container.decodeIfPresent(GlobPattern.self, forKey: .usageType)
            consumedUnit = try container.decodeIfPresent(GlobPattern.self, forKey: .consumedUnit)
            product = try container.decode(String.self, forKey: .product)
            unit = try container.decode(String.self, forKey: .unit)
            scaleBy = try container.decodeIfPresent(ResourceDetail.self, forKey: .scaleBy)
            let factor = try container.decodeIfPresent(Double.self, forKey: .multiplyBy)
            if let factor, !factor.isFinite || factor <= 0 {
                throw DecodingError.dataCorruptedError(
                    forKey: .multiplyBy, in: container, debugDescription: "multiply_by must be a positive finite number")
            }
            multiplyBy = factor ?? 1
            multiplyByGiven = factor != nil
            resourceType = try container.decodeIfPresent(EstimatedResource.self, forKey: .resourceType)
            processor = try container.decodeIfPresent(String.self, forKey: .processor)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(productCode, forKey: .productCode)
            try container.encodeIfPresent(usageType, forKey: .usageType)
            try container.encodeIfPresent(consumedUnit, forKey: .consumedUnit)
            try container.encode(product, forKey: .product)
            try container.encode(unit, forKey: .unit)
            try container.encodeIfPresent(scaleBy, forKey: .scaleBy)
            if multiplyByGiven { try container.encode(multiplyBy, forKey: .multiplyBy) }
            try container.encodeIfPresent(resourceType, forKey: .resourceType)
            try container.encodeIfPresent(processor, forKey: .processor)
        }

        public func matches(productCode code: String, usageType type: String, unit: ProviderUnit? = nil) -> Bool {
            guard productCode.matches(code), usageType?.matches(type) ?? true else { return false }
            guard let consumedUnit else { return true }
            guard let unit else { return false }
            return consumedUnit.matches(unit.raw) || consumedUnit.matches(unit.canonical)
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
    /// The tag (AWS `resourceTags/user:<tag>`, CUR 2.0 `resource_tags`), label (GCP `labels`) or
    /// FOCUS tag (`Tags`) that names the tenant; it wins over `tenants`.
    public var tenantTag: String?
    /// Account id (AWS `lineItem/UsageAccountId`), project id (GCP `project.id`), or FOCUS
    /// sub account (`SubAccountId`, looked up first) or billing account (`BillingAccountId`) → tenant.
    public var tenants: [String: String]
    /// The tenant of a line neither the tag nor `tenants` names; absent: such a line is rejected.
    public var defaultTenant: String?
    /// Provider region (`us-east-1`, `europe-west1`) → CarbonMeter region; a region not listed is used as it is.
    public var regions: [String: String]
    /// FOCUS: the region of rows without a `RegionId` (global services); absent: such rows are rejected.
    public var defaultRegion: String?
    /// FOCUS `ProviderName` → the provider estimation mode knows (`aws`, `gcp`, `azure`, `ali`),
    /// for names it does not recognise by itself (it knows AWS, Amazon, Microsoft, Azure,
    /// Google and Alibaba).
    public var providers: [String: CloudProvider]
    /// FOCUS: tags whose values are kept on the records (and split them: one record per value).
    public var keepTags: [String]
    public var unmapped: Unmapped

    public init(
        rules: [Rule], tenantTag: String? = nil, tenants: [String: String] = [:], defaultTenant: String? = nil,
        regions: [String: String] = [:], defaultRegion: String? = nil, providers: [String: CloudProvider] = [:], keepTags: [String] = [],
        unmapped: Unmapped = .skip
    ) {
        self.rules = rules
        self.tenantTag = tenantTag
        self.tenants = tenants
        self.defaultTenant = defaultTenant
        self.regions = regions
        self.defaultRegion = defaultRegion
        self.providers = providers
        self.keepTags = keepTags
        self.unmapped = unmapped
    }

    enum CodingKeys: String, CodingKey {
        case rules, tenants, regions, unmapped, providers
        case tenantTag = "tenant_tag"
        case defaultTenant = "default_tenant"
        case defaultRegion = "default_region"
        case keepTags = "keep_tags"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rules = try container.decode([Rule].self, forKey: .rules)
        tenantTag = try container.decodeIfPresent(String.self, forKey: .tenantTag)
        tenants = try container.decodeIfPresent([String: String].self, forKey: .tenants) ?? [:]
        defaultTenant = try container.decodeIfPresent(String.self, forKey: .defaultTenant)
        regions = try container.decodeIfPresent([String: String].self, forKey: .regions) ?? [:]
        defaultRegion = try container.decodeIfPresent(String.self, forKey: .defaultRegion)
        providers = try container.decodeIfPresent([String: CloudProvider].self, forKey: .providers) ?? [:]
        keepTags = try container.decodeIfPresent([String].self, forKey: .keepTags) ?? []
        unmapped = try container.decodeIfPresent(Unmapped.self, forKey: .unmapped) ?? .skip
    }

    /// The first rule for this product code, usage type (and, for FOCUS, unit), if any.
    public func rule(productCode: String, usageType: String, unit: ProviderUnit? = nil) -> Rule? {
        rules.first { $0.matches(productCode: productCode, usageType: usageType, unit: unit) }
    }

    /// The position in `rules` of the first rule for this line, if any.
    public func ruleIndex(productCode: String, usageType: String, unit: ProviderUnit? = nil) -> Int? {
        rules.firstIndex { $0.matches(productCode: productCode, usageType: usageType, unit: unit) }
    }

    /// The tenant of a line: its tenant tag, else its sub account, else its account, else the default.
    public func tenant(account: String?, subAccount: String? = nil, tags: [String: String]) -> String? {
        if let tenantTag, let tagged = tags[tenantTag], !tagged.isEmpty { return tagged }
        if let subAccount, let mapped = tenants[subAccount] { return mapped }
        if let account, let mapped = tenants[account] { return mapped }
        return defaultTenant
    }

    public func region(_ providerRegion: String) -> String { regions[providerRegion] ?? providerRegion }

    /// The provider estimation mode knows for a FOCUS `ProviderName`, if any.
    public func provider(named name: String) -> CloudProvider? {
        if let mapped = providers[name] { return mapped }
        let lowered = name.lowercased()
        if lowered == "aws" || lowered.contains("amazon") { return .aws }
        if lowered.contains("microsoft") || lowered.contains("azure") { return .azure }
        if lowered.contains("google") { return .gcp }
        if lowered.contains("alibaba") || lowered.contains("aliyun") { return .ali }
        return nil
    }
}

/// Layer 1: what one site emitted in a month, and how much of it layer 2 could not attribute
/// to any product (because no product had IT energy there).
public struct SiteResult: Codable, Sendable, Hashable {
    public var site: String
    public var region: String
    public var month: CalendarMonth
    public var figures: EmissionFigures
    /// The part of `figures` not allocated to any product.
    public var unallocated: EmissionFigures
    /// The IT energy behind PUE: the facility IT meter when there is one, else the sum of the
    /// products' IT energy.
    public var itKWh: Double
    /// (grid + on-site renewable) / IT kWh; nil when no IT energy is known. Reported, never
    /// assumed, so a missing IT meter shows up as a missing PUE rather than a guessed one.
    public var pue: Double?
    /// Every factor that produced a figure of this site, sorted and unique.
    public var factorsUsed: [FactorReference]
    /// Shares of `figures.totalLocation` resting on measured, filled, flagged and estimated
    /// data (docs/data-quality.md); nil in publications from before data quality.
    public var quality: QualityShares?
    /// What the site's data-centre indicators rest on (docs/model.md §21); nil in
    /// publications from before they existed.
    public var measures: FacilityMeasures?

    public init(
        site: String, region: String, month: CalendarMonth, figures: EmissionFigures,
        unallocated: EmissionFigures = .zero, itKWh: Double = 0, pue: Double? = nil,
        factorsUsed: [FactorReference] = [], quality: QualityShares? = nil, measures: FacilityMeasures? = nil
    ) {
        self.quality = quality
        self.measures = measures
        self.site = site
        self.region = region
        self.month = month
        self.figures = figures
        self.unallocated = unallocated
        self.itKWh = itKWh
        self.pue = pue
        self.factorsUsed = factorsUsed
    }

    private enum CodingKeys: String, CodingKey {
        case site, region, month, figures, unallocated
        case itKWh = "it_kwh"
        case pue
        case factorsUsed = "factors_used"
        case quality, measures
    }
}

/// Layer 2: a product's share of one site's emissions in a month.
public struct ProductSiteResult: Codable, Sendable, Hashable {
    public var product: String
    public var site: String
    public var region: String
    public var month: CalendarMonth
    public var figures: EmissionFigures
    /// Data-quality shares of `figures.totalLocation`; nil in publications from before data quality.
    public var quality: QualityShares?

    public init(
        product: String, site: String, region: String, month: CalendarMonth, figures: EmissionFigures, quality: QualityShares? = nil
    ) {
        self.quality = quality
        self.product = product
        self.site = site
        self.region = region
        self.month = month
        self.figures = figures
    }
}

/// Layer 2 summed over a region, and the layer-3 allocation key that divides it among tenants.
public struct ProductRegionResult: Codable, Sendable, Hashable {
    public var product: String
    public var region: String
    public var month: CalendarMonth
    public var basis: AllocationBasis
    /// E(p,r): the product's emissions over all sites of the region.
    public var figures: EmissionFigures
    /// The part of `figures` not allocated to tenants (idle capacity, or everything when
    /// nobody used the product); it stays with the provider.
    public var unallocated: EmissionFigures
    /// Σ over tenants of usage, in the product's unit.
    public var usage: Double
    /// Σ over the region's sites of sellable capacity, in the product's unit.
    public var capacity: Double
    /// D, the denominator of every tenant's share.
    public var denominator: Double
    /// Data-quality shares of `figures.totalLocation`; nil in publications from before data quality.
    public var quality: QualityShares?

    public init(
        product: String, region: String, month: CalendarMonth, basis: AllocationBasis,
        figures: EmissionFigures, unallocated: EmissionFigures = .zero, usage: Double = 0,
        capacity: Double = 0, denominator: Double = 0, quality: QualityShares? = nil
    ) {
        self.quality = quality
        self.product = product
        self.region = region
        self.month = month
        self.basis = basis
        self.figures = figures
        self.unallocated = unallocated
        self.usage = usage
        self.capacity = capacity
        self.denominator = denominator
    }
}

/// Layer 3: what one tenant's use of one product in one region caused in a month.
public struct TenantResult: Codable, Sendable, Hashable {
    public var tenant: String
    public var product: String
    public var region: String
    public var month: CalendarMonth
    public var figures: EmissionFigures
    public var usage: Double
    /// usage / D — kept so a tenant can check its figures against the product's (1 for an
    /// estimate, which is the tenant's own).
    public var share: Double
    /// `measured` (a share of the product's facility emissions) or `estimated` (CCF).
    public var mode: ResultMode
    /// For estimates, the factors behind the figures; measured cells find theirs on the sites.
    public var factorsUsed: [FactorReference]
    /// Data-quality shares of `figures.totalLocation` (all `estimated` for an estimate); nil in
    /// publications from before data quality.
    public var quality: QualityShares?

    public init(
        tenant: String, product: String, region: String, month: CalendarMonth,
        figures: EmissionFigures, usage: Double, share: Double, mode: ResultMode = .measured,
        factorsUsed: [FactorReference] = [], quality: QualityShares? = nil
    ) {
        self.quality = quality
        self.tenant = tenant
        self.product = product
        self.region = region
        self.month = month
        self.figures = figures
        self.usage = usage
        self.share = share
        self.mode = mode
        self.factorsUsed = factorsUsed
    }

    private enum CodingKeys: String, CodingKey {
        case tenant, product, region, month, figures, usage, share, mode
        case factorsUsed = "factors_used"
        case quality
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try c.decode(String.self, forKey: .tenant)
        product = try c.decode(String.self, forKey: .product)
        region = try c.decode(String.self, forKey: .region)
        month = try c.decode(CalendarMonth.self, forKey: .month)
        figures = try c.decode(EmissionFigures.self, forKey: .figures)
        usage = try c.decode(Double.self, forKey: .usage)
        share = try c.decode(Double.self, forKey: .share)
        // Publications written before estimation mode existed carry neither field.
        mode = try c.decodeIfPresent(ResultMode.self, forKey: .mode) ?? .measured
        factorsUsed = try c.decodeIfPresent([FactorReference].self, forKey: .factorsUsed) ?? []
        // Publications written before data quality carry no shares.
        quality = try c.decodeIfPresent(QualityShares.self, forKey: .quality)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(product, forKey: .product)
        try c.encode(region, forKey: .region)
        try c.encode(month, forKey: .month)
        try c.encode(figures, forKey: .figures)
        try c.encode(usage, forKey: .usage)
        try c.encode(share, forKey: .share)
        try c.encode(mode, forKey: .mode)
        if !factorsUsed.isEmpty { try c.encode(factorsUsed, forKey: .factorsUsed) }
        try c.encodeIfPresent(quality, forKey: .quality)
    }
}

/// Activity that produced no emissions because no factor covered it, so that a gap in the
/// factor library is reported instead of silently under-counting.
public struct MissingFactor: Codable, Sendable, Hashable {
    public var activity: String
    /// The region (the site's grid) the factor was asked for.
    public var region: String
    /// Hourly entries without a factor, counted over all sites of the region (site-hours).
    public var hours: Int
    /// Activity amount left without emissions, in the activity's canonical unit.
    public var amount: Double

    public init(activity: String, region: String, hours: Int, amount: Double) {
        self.activity = activity
        self.region = region
        self.hours = hours
        self.amount = amount
    }
}

/// All three layers of one region-month, as computed by ``AccountingEngine``. Arrays are
/// sorted by their key strings so equal inputs give byte-identical JSON.
public struct RegionMonthResult: Codable, Sendable, Hashable {
    public var region: String
    public var month: CalendarMonth
    /// Sorted by site.
    public var sites: [SiteResult]
    /// Sorted by product, then site.
    public var productSites: [ProductSiteResult]
    /// Sorted by product.
    public var productRegions: [ProductRegionResult]
    /// Sorted by tenant, then product.
    public var tenants: [TenantResult]
    /// Sorted by activity, then region.
    public var missingFactors: [MissingFactor]
    /// Hour-by-hour figures of the site, product-site, product and estimated tenant cells
    /// (``HourlyBreakdown``); empty when not computed.
    public var hourly: [HourlySeries]

    public init(
        region: String, month: CalendarMonth, sites: [SiteResult] = [],
        productSites: [ProductSiteResult] = [], productRegions: [ProductRegionResult] = [],
        tenants: [TenantResult] = [], missingFactors: [MissingFactor] = [], hourly: [HourlySeries] = []
    ) {
        self.region = region
        self.month = month
        self.sites = sites
        self.productSites = productSites
        self.productRegions = productRegions
        self.tenants = tenants
        self.missingFactors = missingFactors
        self.hourly = hourly
    }

    private enum CodingKeys: String, CodingKey {
        case region, month, sites
        case productSites = "product_sites"
        case productRegions = "product_regions"
        case tenants
        case missingFactors = "missing_factors"
        case hourly
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        region = try c.decode(String.self, forKey: .region)
        month = try c.decode(CalendarMonth.self, forKey: .month)
        sites = try c.decode([SiteResult].self, forKey: .sites)
        productSites = try c.decode([ProductSiteResult].self, forKey: .productSites)
        productRegions = try c.decode([ProductRegionResult].self, forKey: .productRegions)
        tenants = try c.decode([TenantResult].self, forKey: .tenants)
        missingFactors = try c.decode([MissingFactor].self, forKey: .missingFactors)
        // Publications from before hourly results have none.
        hourly = try c.decodeIfPresent([HourlySeries].self, forKey: .hourly) ?? []
    }
}

extension RegionMonthResult {
    /// Every factor behind any figure of the region-month (sites and estimates), sorted and
    /// unique: what a version of the result was calculated with.
    public var allFactorsUsed: [FactorReference] {
        let all = Set(sites.flatMap(\.factorsUsed) + tenants.flatMap(\.factorsUsed))
        return all.sorted { ($0.factor, $0.version, $0.value) < ($1.factor, $1.version, $1.value) }
    }
}

/// Lineage of a product-site, product (region) or tenant result cell (docs/model.md §12, §13, §18),
/// built on the ``SiteLineage`` of every site involved: the formulas of the allocation, every
/// allocation-key record (product IT energy, embodied hardware, capacity, usage) with its amount
/// in the month, and the intermediate numbers, so a verifier can recompute the cell by hand:
///
/// 1. each site's figures from its `lineage.terms` (the ``SiteLineage`` formulas);
/// 2. `shared(s)` = those figures with scope 3 replaced by the site's embodied records that name
///    no product; `it(p,s) = Σ it records of p`; `w(p,s) = it(p,s) / Σ_p' it(p',s)` over products
///    with it > 0;
/// 3. `E(p,s) = w(p,s) × shared(s)`, plus scope 3 `Σ embodied records of p at s`;
/// 4. `E(p,r) = Σ_s E(p,s)`;
/// 5. `D = Σ_c usage(c)` (usage basis) or `max(Σ capacity records, Σ_c usage(c))` (capacity basis
///    with a capacity); `share = usage(c) / D`; `E(c,p,r) = share × E(p,r)` for every scope and
///    the energy.
///
/// Amounts are summed in integer micro-units per record before conversion, as the calculator's
/// ledger does, so they match its inputs exactly.
///
/// A tenant cell of a product without facility data in the region-month is estimated (docs/model.md
/// §15, estimation mode) as the engine does: its lineage holds the tenant's usage records with
/// resource details and their ``EstimatedLineage`` (CCF coefficients, grid factors, terms).
public struct CellLineage: Codable, Sendable {
    /// An allocation-key record's amount within the month.
    public struct KeyRecord: Codable, Sendable, Hashable {
        public var source: String
        public var id: String
        public var revision: Int
        public var kind: String
        public var site: String?
        public var product: String?
        public var tenant: String?
        public var amount: Double
        public var unit: String
    }

    /// One site of the region as the allocation sees it.
    public struct SiteAllocation: Codable, Sendable {
        /// The site's own lineage (layer 1).
        public var lineage: SiteLineage
        /// Its figures, recomputed from `lineage` by the ``SiteLineage`` formulas.
        public var figures: EmissionFigures
        /// `product.it_electricity` records at the site.
        public var it: [KeyRecord]
        /// `hardware.embodied` records at the site (with `product` when registered to one).
        public var embodied: [KeyRecord]
        /// Product -> it(p,s) / Σ it: the layer-2 weights (empty when no product has IT energy).
        public var weights: [String: Double]
        /// Product -> E(p,s).
        public var products: [String: EmissionFigures]

        private enum CodingKeys: String, CodingKey {
            case lineage, figures, it, embodied, weights, products
        }
    }

    public var layer: String
    public var region: String
    public var month: CalendarMonth
    public var site: String?
    public var product: String?
    public var tenant: String?
    /// `measured`, or `estimated` for a tenant cell of a product without facility data in the
    /// region-month (CCF estimation: the inputs, coefficients and factors are in `estimation`).
    public var mode: ResultMode
    public var formula: [String: String]
    public var sites: [SiteAllocation]
    /// `product.capacity` records of the product in the region (capacity basis).
    public var capacity: [KeyRecord]
    /// `usage` records of the product in the region, every tenant's (they make up D).
    public var usage: [KeyRecord]
    public var basis: AllocationBasis?
    /// D, the denominator of the tenants' shares.
    public var denominator: Double?
    /// The tenant's usage and share (tenant cells).
    public var tenantUsage: Double?
    public var share: Double?
    /// The cell's value (for an estimated cell, the estimate's).
    public var figures: EmissionFigures?
    /// An estimated cell's records, CCF coefficients, grid factors and terms (``EstimatedLineage``).
    public var estimation: EstimatedLineage?

    private enum CodingKeys: String, CodingKey {
        case layer, region, month, site, product, tenant, mode, formula, sites, capacity, usage, basis, denominator
        case tenantUsage = "tenant_usage"
        case share, figures, estimation
    }

    public static let formulas: [String: String] = [
        "site_figures": "per site, from sites[].lineage.terms with the site lineage formulas (sites[].lineage.formula)",
        "shared": "shared(s) = site figures with scope3 replaced by the sum of sites[].embodied amounts without a product",
        "weight": "w(p,s) = sum of sites[].it amounts of p / sum of sites[].it amounts of every product with a positive sum",
        "product_site": "E(p,s) = w(p,s) × shared(s) for scope1, scope2_location, scope2_market, scope3 and energy_kwh; plus scope3 += sum of sites[].embodied amounts of p",
        "product": "E(p,r) = sum over sites of E(p,s)",
        "denominator": "D = sum of usage amounts (over tenants with a positive sum) on the usage basis; on the capacity basis with a capacity, D = max(sum of capacity amounts, sum of usage amounts)",
        "tenant": "share = tenant's usage sum / D; E(c,p,r) = share × E(p,r) for every scope and energy_kwh",
        "totals": "total_location = scope1 + scope2_location + scope3; total_market = scope1 + scope2_market + scope3",
    ]

    /// The cell's layer.
    public enum Layer: String, Sendable, CaseIterable {
        case site
        case productSite = "product_site"
        case product
        case tenant
    }

    /// Why a lineage cannot be built (the caller answers 404 naming the field).
    public enum Missing: Error, Sendable, Equatable {
        case site(String)
        case product(String)
        case tenant(String)
    }

    /// Builds the lineage of a product-site (`site`, `product`), product (`product`) or tenant
    /// (`tenant`, `product`) cell of `region` and `month`. `sites` are the region's declared
    /// sites; `records` may hold any records (the rest are ignored).
    public static func build(
        layer: Layer, region: String, month: CalendarMonth, site siteName: String?, product: String, tenant: String?,
        sites: [SiteDeclaration], products: [String: ProductDeclaration], records: [NormalizedRecord], factors: FactorResolver,
        quality: DataQualitySettings = .default
    ) throws(Missing) -> CellLineage {
        let inMonth = records.filter { $0.region == region && $0.start < month.end && $0.end > month.start }
            .sorted { ($0.source, $0.id) < ($1.source, $1.id) }
        var chosenSites = sites.sorted { $0.site < $1.site }
        if layer == .productSite {
            guard let name = siteName, let site = sites.first(where: { $0.site == name }) else { throw .site(siteName ?? "") }
            chosenSites = [site]
        }
        var allocations: [SiteAllocation] = []
        var productTotal = EmissionFigures.zero
        var hasFacilityData = false
        for site in chosenSites {
            let lineage = SiteLineage.build(site: site, month: month, records: inMonth, factors: factors, quality: quality)
            let figures = siteFigures(lineage)
            let it = inMonth.filter { $0.kind == .productITElectricity && $0.site == site.site }.compactMap { keyRecord($0, month: month) }
            let embodied = inMonth.filter { $0.kind == .hardwareEmbodied && $0.site == site.site }.compactMap { keyRecord($0, month: month) }
            var itByProduct: [String: Double] = [:]
            for record in it { itByProduct[record.product ?? "", default: 0] += record.amount }
            let positive = itByProduct.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            var itTotal = 0.0
            for (_, amount) in positive { itTotal += amount }
            var unassigned = 0.0
            var embodiedByProduct: [String: Double] = [:]
            for record in embodied {
                if let product = record.product, !product.isEmpty {
                    embodiedByProduct[product, default: 0] += record.amount
                } else {
                    unassigned += record.amount
                }
            }
            var shared = figures
            shared.scope3 = unassigned
            var weights: [String: Double] = [:]
            var byProduct: [String: EmissionFigures] = [:]
            if itTotal > 0 {
                for (name, amount) in positive {
                    weights[name] = amount / itTotal
                    byProduct[name] = shared.scaled(by: amount / itTotal)
                }
            }
            for (name, amount) in embodiedByProduct where amount != 0 { byProduct[name, default: .zero].scope3 += amount }
            if let cell = byProduct[product] {
                productTotal += cell
                hasFacilityData = true
            }
            allocations.append(
                SiteAllocation(lineage: lineage, figures: figures, it: it, embodied: embodied, weights: weights, products: byProduct))
        }
        if layer == .productSite || layer == .product {
            guard hasFacilityData else { throw .product(product) }
            return CellLineage(
                layer: layer.rawValue, region: region, month: month, site: layer == .productSite ? siteName : nil, product: product,
                tenant: nil, mode: .measured, formula: formulas, sites: allocations, capacity: [], usage: [], basis: nil, denominator: nil,
                tenantUsage: nil, share: nil, figures: productTotal)
        }
        // Layer 3.
        var usage = inMonth.filter { $0.kind == .usage && $0.product == product }.compactMap { keyRecord($0, month: month) }
        let siteNames = Set(chosenSites.map(\.site))
        let capacity = inMonth.filter { $0.kind == .productCapacity && $0.product == product && siteNames.contains($0.site ?? "") }
            .compactMap { keyRecord($0, month: month) }
        guard let tenant else { throw .tenant("") }
        if !hasFacilityData {
            // Estimation mode (as the engine decides): usage with resource details is estimated
            // on its own, with no allocation; other usage of the product is allocated (nothing).
            let estimable = inMonth.filter { $0.kind == .usage && $0.product == product && $0.estimationProfile != nil }
            let estimableIDs = Set(estimable.map { [$0.source, $0.id] })
            usage = usage.filter { !estimableIDs.contains([$0.source, $0.id]) }
            let mineEstimable = estimable.filter { $0.tenant == tenant }
            let records = mineEstimable.compactMap { keyRecord($0, month: month) }
            var mine = 0.0
            for record in records { mine += record.amount }
            if !records.isEmpty {
                let estimation = EstimatedLineage.build(
                    records: mineEstimable, region: region, month: month, productUnit: products[product]?.unit, factors: factors)
                var formula = EstimatedLineage.formulas
                formula["estimated"] = "CCF estimation mode (docs/model.md §15): the product has no facility data in this region-month"
                return CellLineage(
                    layer: layer.rawValue, region: region, month: month, site: nil, product: product, tenant: tenant, mode: .estimated,
                    formula: formula, sites: [], capacity: [], usage: records, basis: nil, denominator: nil, tenantUsage: mine,
                    share: 1, figures: estimation.figures, estimation: estimation)
            }
        }
        var byTenant: [String: Double] = [:]
        for record in usage { byTenant[record.tenant ?? "", default: 0] += record.amount }
        guard let mine = byTenant[tenant], mine > 0 else { throw .tenant(tenant) }
        var usageTotal = 0.0
        for (_, amount) in byTenant.filter({ $0.value > 0 }).sorted(by: { $0.key < $1.key }) { usageTotal += amount }
        var capacityTotal = 0.0
        for record in capacity { capacityTotal += record.amount }
        let basis = products[product]?.basis ?? .usage
        let denominator = basis == .capacity && capacityTotal > 0 ? max(capacityTotal, usageTotal) : usageTotal
        let share = mine / denominator
        return CellLineage(
            layer: layer.rawValue, region: region, month: month, site: nil, product: product, tenant: tenant, mode: .measured,
            formula: formulas, sites: allocations, capacity: capacity, usage: usage, basis: basis, denominator: denominator,
            tenantUsage: mine, share: share, figures: productTotal.scaled(by: share))
    }

    /// A site's figures from its lineage, by the formulas it states.
    public static func siteFigures(_ lineage: SiteLineage) -> EmissionFigures {
        func sum(_ scope: String, weighted: Bool = true) -> Double {
            lineage.terms.filter { $0.scope == scope }.reduce(0.0) { $0 + $1.amount * (weighted ? ($1.factor?.value ?? 0) : 1) }
        }
        let grid = lineage.gridKWh
        let market = grid > 0 ? max(0, grid - lineage.certificatesKWh) * sum("residual") / grid : 0
        var hourly = 0.0, covered = 0.0
        for hour in lineage.hours {
            hourly += max(0, hour.gridKWh - hour.certificatesKWh) * (hour.residual?.value ?? 0)
            covered += min(hour.gridKWh, hour.certificatesKWh)
        }
        return EmissionFigures(
            scope1: sum("scope1"), scope2Location: sum("scope2_location"), scope2Market: market, scope3: sum("scope3", weighted: false),
            energyKWh: grid + sum("renewable", weighted: false), scope2MarketHourly: hourly,
            cfeKWh: sum("renewable", weighted: false) + covered,
            waterL: sum("water_withdrawal", weighted: false) - sum("water_discharge", weighted: false))
    }

    /// The record's amount within the month (micro-unit sum of its buckets), nil when none.
    private static func keyRecord(_ record: NormalizedRecord, month: CalendarMonth) -> KeyRecord? {
        let micro = TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity)
            .filter { $0.start >= month.start && $0.start < month.end }
            .reduce(Int64(0)) { $0 + $1.amount }
        guard micro != 0 else { return nil }
        return KeyRecord(
            source: record.source, id: record.id, revision: record.revision, kind: record.kind.rawValue, site: record.site,
            product: record.product, tenant: record.tenant, amount: Double(micro) / 1_000_000, unit: record.unit)
    }
}

/// The measured-mode accounting model (docs/model.md §7–§14): site emissions (layer 1), their split over
/// cloud products (layer 2) and over tenants (layer 3), for one region and calendar month.
///
/// Pure: the same input always gives the same result, bit for bit. Every sum runs over keys
/// in sorted order because dictionary iteration order varies between runs and floating-point
/// addition is not associative; a restatement must not differ from the original in the last
/// digit just because a hash seed changed.
///
/// Conservation holds to rounding at every layer: Σ_p E(p,s) + site unallocated = E(s),
/// Σ_s E(p,s) = E(p,r), Σ_c E(c,p,r) + product unallocated = E(p,r).
public enum AccountingEngine {
    public static func calculate(_ input: RegionMonthInput) -> RegionMonthResult {
        var missing = MissingTally()
        let sites = input.sites.sorted { $0.site.site < $1.site.site }

        var siteResults: [SiteResult] = []
        siteResults.reserveCapacity(sites.count)
        var productSites: [ProductSiteResult] = []
        var productTotals: [String: EmissionFigures] = [:]
        var productQuality: [String: QualityAmounts] = [:]
        var capacities: [String: Double] = [:]

        for site in sites {
            var used = Set<FactorReference>()
            var gridQuality = GridQuality()
            let layer1 = siteEmissions(site, factors: input.factors, missing: &missing, used: &used, quality: &gridQuality)
            let layer2 = allocateToProducts(site, emissions: layer1, quality: gridQuality)

            for (product, figures) in layer2.products {
                let quality = layer2.quality[product] ?? .zero
                productSites.append(
                    ProductSiteResult(
                        product: product, site: site.site.site, region: site.site.region,
                        month: input.month, figures: figures, quality: quality.shares))
                productTotals[product, default: .zero] += figures
                productQuality[product, default: .zero] += quality
            }
            for (product, capacity) in site.productCapacity {
                capacities[product, default: 0] += capacity
            }

            let itKWh = site.facilityITKWh > 0 ? site.facilityITKWh : layer2.itTotal
            let facilityKWh = layer1.energyKWh
            let gridKWh = facilityKWh - site.onsiteRenewableKWh
            let measures = FacilityMeasures(
                facilityKWh: facilityKWh, gridKWh: gridKWh, onsiteRenewableKWh: site.onsiteRenewableKWh,
                certificatesKWh: site.certificatesKWh, itKWh: itKWh > 0 ? itKWh : nil,
                itSource: site.facilityITKWh > 0 ? "facility" : layer2.itTotal > 0 ? "products" : nil,
                heatReuseKWh: site.heatReuseKWh, coolingKWh: site.coolingKWh, waterWithdrawalL: site.waterWithdrawalL,
                waterDischargeL: site.waterDischargeL
            ).declaring(site.site)
            siteResults.append(
                SiteResult(
                    site: site.site.site, region: site.site.region, month: input.month,
                    figures: layer1, unallocated: layer2.unallocated, itKWh: itKWh,
                    pue: itKWh > 0 ? facilityKWh / itKWh : nil,
                    factorsUsed: used.sorted(by: referenceBefore),
                    quality: gridQuality.amounts(total: layer1.totalLocation).shares, measures: measures))
        }
        productSites.sort { ($0.product, $0.site) < ($1.product, $1.site) }

        // Estimation mode: usage with resource details of a product that has no facility data
        // in this region-month is estimated; where the product has facility data, it is
        // allocated like any other usage (measured beats estimated).
        var usage = input.usage
        var usageTotals = input.usageTotals
        var estimable: [EstimableUsage] = []
        for series in input.estimable.sorted(by: { ($0.tenant, $0.product, $0.profile.key) < ($1.tenant, $1.product, $1.profile.key) }) {
            if productTotals[series.product] != nil {
                usage[series.product, default: [:]][series.tenant, default: 0] += series.usage
                if usageTotals != nil { usageTotals?[series.product, default: 0] += series.usage }
            } else {
                estimable.append(series)
            }
        }
        let (productRegions, measuredTenants) = allocateToTenants(
            input, usage: usage, usageTotals: usageTotals, productTotals: productTotals, productQuality: productQuality,
            capacities: capacities)
        var tenants = measuredTenants
        if !estimable.isEmpty {
            tenants += EstimationEngine.tenantResults(
                estimable, region: input.region, month: input.month, factors: input.factors, missing: &missing)
            tenants.sort { ($0.tenant, $0.product, $0.mode.rawValue) < ($1.tenant, $1.product, $1.mode.rawValue) }
        }

        return RegionMonthResult(
            region: input.region, month: input.month, sites: siteResults,
            productSites: productSites, productRegions: productRegions, tenants: tenants,
            missingFactors: missing.sorted())
    }

    // MARK: - Layer 1

    /// The location-based emissions of a site's grid hours that were filled or flagged by the
    /// data-quality pass; everything else of the site (fuel, refrigerants, embodied, measured
    /// grid hours) rests on measured data.
    struct GridQuality {
        var filled = 0.0
        var flagged = 0.0
        var profiled = 0.0

        /// The parts of a cell whose location-based total is `total`.
        func amounts(total: Double) -> QualityAmounts {
            QualityAmounts(
                measured: total - filled - flagged - profiled, filled: filled, flagged: flagged, estimated: 0, profiled: profiled)
        }
    }

    private static func siteEmissions(
        _ site: SiteMonthInput, factors: FactorResolver,
        missing: inout MissingTally, used: inout Set<FactorReference>, quality: inout GridQuality
    ) -> EmissionFigures {
        let grid = site.site.grid

        var scope1 = 0.0
        for fuel in site.fuels.keys.sorted() {
            scope1 += applyFactors(
                site.fuels[fuel] ?? [], activity: fuel, per: .volume, region: grid, factors: factors,
                missing: &missing, used: &used)
        }
        for gas in site.refrigerants.keys.sorted() {
            scope1 += applyFactors(
                site.refrigerants[gas] ?? [], activity: gas, per: .mass, region: grid, factors: factors,
                missing: &missing, used: &used)
        }

        let electricity = factors.timeline(activity: "electricity", region: grid)
        let residual = factors.timeline(activity: "residual_electricity", region: grid)
        var gridKWh = 0.0
        var location = 0.0
        // Σ_h grid(h) × r(h): the numerator of the month's consumption-weighted residual factor.
        var residualWeighted = 0.0
        // The hourly method: Σ_h max(0, grid(h) − certificates(h)) × r(h), and the grid hours
        // covered by certificates of the same hour.
        let certificates = HourlyMatching.certificatesByHour(site.certificatesHourly)
        var marketHourly = 0.0
        var coveredKWh = 0.0
        var lastElectricity = -1
        var lastResidual = -1
        for entry in site.gridElectricityKWh where entry.amount != 0 {
            gridKWh += entry.amount
            let match = HourlyMatching.match(grid: entry.amount, certificates: certificates[entry.hour] ?? 0)
            coveredKWh += match.covered
            var electricityValue: Double?
            if let pick = electricity.pickIndex(at: entry.hour) {
                let factor = electricity.chosenFactor(pick)
                electricityValue = factor.value
                location += entry.amount * factor.value
                // An hour can hold both readings and profile-spread electricity; the meter's
                // verdict on the hour concerns only the read part.
                var read = entry.amount
                if !site.gridProfiledKWh.isEmpty, let profiled = site.gridProfiledKWh[entry.hour] {
                    let part = min(profiled, entry.amount)
                    quality.profiled += part * factor.value
                    read -= part
                }
                if !site.gridQuality.isEmpty, let hourQuality = site.gridQuality[entry.hour] {
                    switch hourQuality {
                    case .filled: quality.filled += read * factor.value
                    case .flagged: quality.flagged += read * factor.value
                    case .measured, .profiled: break
                    }
                }
                if pick != lastElectricity {
                    used.insert(reference(factor))
                    lastElectricity = pick
                }
            } else {
                missing.add(activity: "electricity", region: grid, amount: entry.amount)
            }
            if let pick = residual.pickIndex(at: entry.hour) {
                let factor = residual.chosenFactor(pick)
                residualWeighted += entry.amount * factor.value
                marketHourly += match.uncovered * factor.value
                if pick != lastResidual {
                    used.insert(reference(factor))
                    lastResidual = pick
                }
            } else if let electricityValue {
                residualWeighted += entry.amount * electricityValue
                marketHourly += match.uncovered * electricityValue
            }
            // With neither factor the hour weighs in the average with r = 0, i.e. it
            // contributes nothing, as in the location-based figure; it is already reported
            // missing under "electricity".
        }
        var market = 0.0
        if gridKWh > 0 {
            let uncovered = max(0, gridKWh - max(0, site.certificatesKWh))
            market = uncovered * (residualWeighted / gridKWh)
        }

        var scope3 = 0.0
        for product in site.embodiedByProduct.keys.sorted() {
            scope3 += site.embodiedByProduct[product] ?? 0
        }
        scope3 += site.embodiedUnassigned

        // Water consumed: what was taken in less what was given back, sorted sums so the figure
        // is the same bit for bit whatever order the sources arrive in.
        var water = 0.0
        for source in site.waterWithdrawalL.keys.sorted() { water += site.waterWithdrawalL[source] ?? 0 }
        for destination in site.waterDischargeL.keys.sorted() { water -= site.waterDischargeL[destination] ?? 0 }

        return EmissionFigures(
            scope1: scope1, scope2Location: location, scope2Market: market, scope3: scope3,
            energyKWh: gridKWh + site.onsiteRenewableKWh, scope2MarketHourly: marketHourly,
            cfeKWh: site.onsiteRenewableKWh + coveredKWh, waterL: water)
    }

    /// Σ_h amount(h) × factor(h) over one hourly series, reporting hours without a factor.
    private static func applyFactors(
        _ series: [HourlyAmount], activity: String, per dimension: Dimension, region: String, factors: FactorResolver,
        missing: inout MissingTally, used: inout Set<FactorReference>
    ) -> Double {
        let timeline = factors.timeline(activity: activity, region: region)
        var total = 0.0
        var lastPick = -1
        for entry in series where entry.amount != 0 {
            // Fuel is measured by volume and refrigerant by mass: a factor per another quantity
            // (diesel per kg, say) would multiply litres by kg CO2e per kg, so it counts as missing.
            guard let pick = timeline.pickIndex(at: entry.hour), timeline.chosenFactor(pick).denominatorDimension == dimension else {
                missing.add(activity: activity, region: region, amount: entry.amount)
                continue
            }
            let factor = timeline.chosenFactor(pick)
            total += entry.amount * factor.value
            // Hours usually run in order, so most hours repeat the previous factor and the
            // set insert (hashing two strings) is skipped.
            if pick != lastPick {
                used.insert(reference(factor))
                lastPick = pick
            }
        }
        return total
    }

    // MARK: - Layer 2

    private struct ProductAllocation {
        /// (product, figures) sorted by product.
        var products: [(String, EmissionFigures)]
        /// Product -> the parts of its location-based total by data quality.
        var quality: [String: QualityAmounts]
        var unallocated: EmissionFigures
        var itTotal: Double
    }

    private static func allocateToProducts(_ site: SiteMonthInput, emissions figures: EmissionFigures, quality: GridQuality) -> ProductAllocation {
        let weighted = site.productITKWh.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        var itTotal = 0.0
        for (_, it) in weighted { itTotal += it }

        // What is split by w: everything except embodied hardware registered to a product.
        var shared = figures
        shared.scope3 = site.embodiedUnassigned

        // The shared part's quality: its filled and flagged grid emissions go with the same
        // weight w as the figures; embodied hardware registered to a product is measured.
        let sharedQuality = quality.amounts(total: shared.totalLocation)
        var byProduct: [String: EmissionFigures] = [:]
        var qualityByProduct: [String: QualityAmounts] = [:]
        var unallocated = EmissionFigures.zero
        if itTotal > 0 {
            for (product, it) in weighted {
                byProduct[product] = shared.scaled(by: it / itTotal)
                qualityByProduct[product] = sharedQuality.scaled(by: it / itTotal)
            }
        } else {
            unallocated = shared
        }
        for (product, embodied) in site.embodiedByProduct where embodied != 0 {
            byProduct[product, default: .zero].scope3 += embodied
            qualityByProduct[product, default: .zero].measured += embodied
        }
        return ProductAllocation(
            products: byProduct.sorted { $0.key < $1.key }, quality: qualityByProduct, unallocated: unallocated,
            itTotal: itTotal)
    }

    // MARK: - Layer 3

    private static func allocateToTenants(
        _ input: RegionMonthInput, usage: [String: [String: Double]], usageTotals givenTotals: [String: Double]?,
        productTotals: [String: EmissionFigures], productQuality: [String: QualityAmounts], capacities: [String: Double]
    ) -> ([ProductRegionResult], [TenantResult]) {
        // Only positive usage counts: a zero or (invalid) negative amount is not a use.
        var usageTotals: [String: Double] = [:]
        var tenantUsage: [String: [(String, Double)]] = [:]
        for (product, byTenant) in usage {
            let used = byTenant.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            guard !used.isEmpty else { continue }
            tenantUsage[product] = used
            if givenTotals == nil {
                var total = 0.0
                for (_, amount) in used { total += amount }
                usageTotals[product] = total
            }
        }
        // U from the caller's exact sums over every tenant, when `usage` holds only some.
        if let givenTotals {
            for (product, total) in givenTotals where total > 0 { usageTotals[product] = total }
        }

        let products = Set(productTotals.keys).union(usageTotals.keys).sorted()
        var productRegions: [ProductRegionResult] = []
        productRegions.reserveCapacity(products.count)
        var tenants: [TenantResult] = []
        tenants.reserveCapacity(tenantUsage.values.reduce(0) { $0 + $1.count })

        for product in products {
            let figures = productTotals[product] ?? .zero
            // A tenant's share of E(p,r) takes the same share of each quality part, so its
            // quality shares are the product's.
            let quality = (productQuality[product] ?? .zero).shares
            let usage = usageTotals[product] ?? 0
            let capacity = capacities[product] ?? 0
            let basis = input.products[product]?.basis ?? .usage
            let denominator: Double
            switch basis {
            case .usage:
                denominator = usage
            case .capacity:
                // Without a declared capacity there is nothing to leave idle, so the product
                // falls back to the usage basis rather than leaving everything unallocated.
                denominator = capacity > 0 ? max(capacity, usage) : usage
            }

            var unallocated = figures
            if denominator > 0 {
                for (tenant, amount) in tenantUsage[product] ?? [] {
                    let share = amount / denominator
                    tenants.append(
                        TenantResult(
                            tenant: tenant, product: product, region: input.region,
                            month: input.month, figures: figures.scaled(by: share),
                            usage: amount, share: share, quality: quality))
                }
                // Equal to E − Σ_c E(c) up to rounding, but exactly zero when D == U, so a
                // usage-based product never reports a 1e-16 crumb as unallocated.
                unallocated = figures.scaled(by: (denominator - usage) / denominator)
            }
            productRegions.append(
                ProductRegionResult(
                    product: product, region: input.region, month: input.month, basis: basis,
                    figures: figures, unallocated: unallocated, usage: usage,
                    capacity: capacity, denominator: denominator, quality: quality))
        }
        tenants.sort { ($0.tenant, $0.product) < ($1.tenant, $1.product) }
        return (productRegions, tenants)
    }

    // MARK: - Helpers

    private static func reference(_ factor: EmissionFactor) -> FactorReference {
        FactorReference(factor)
    }

    private static func referenceBefore(_ a: FactorReference, _ b: FactorReference) -> Bool {
        (a.factor, a.version, a.value) < (b.factor, b.version, b.value)
    }

}

/// Hours without a factor, aggregated per (activity, region) over the sites of a region-month.
struct MissingTally {
    private struct Key: Hashable {
        var activity: String
        var region: String
    }

    private var entries: [Key: (hours: Int, amount: Double)] = [:]

    mutating func add(activity: String, region: String, amount: Double) {
        let key = Key(activity: activity, region: region)
        let current = entries[key] ?? (0, 0)
        entries[key] = (current.hours + 1, current.amount + amount)
    }

    func sorted() -> [MissingFactor] {
        entries.map { MissingFactor(activity: $0.key.activity, region: $0.key.region, hours: $0.value.hours, amount: $0.value.amount) }
            .sorted { ($0.activity, $0.region) < ($1.activity, $1.region) }
    }
}

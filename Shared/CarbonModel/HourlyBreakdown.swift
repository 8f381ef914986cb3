/// Granularity (docs/model.md §18, hourly and daily figures): the hour-by-hour figures of every cell of a
/// region-month, consistent with the monthly ones — each column sums to the monthly figure.
///
/// How each figure is spread over the hours of its month:
/// - scope 1 and scope 2 location-based: computed hour by hour (amount(h) × factor(h)), as the
///   monthly figures are.
/// - scope 2 market-based: certificates are matched per calendar month, so the monthly figure is
///   apportioned to hours by grid(h) × r(h), the hour's weight in the consumption-weighted
///   residual factor (r = residual mix, else grid factor).
/// - scope 3 (embodied hardware, monthly buckets): evenly over the month's hours, i.e. pro rata
///   by time like any other record.
/// - scope 2 market-based, hourly method: computed hour by hour, max(0, grid(h) − certificates(h)) × r(h).
/// - energy: grid(h) + on-site renewable(h); carbon-free energy: min(grid(h), certificates(h)) + on-site renewable(h).
/// Products take `w × ` the site's shared hours (plus their own embodied hardware, evenly);
/// a product per region is the sum over its sites; its unallocated part is
/// `(D − U) / D × ` its hours, as monthly. Measured tenants are `share × ` their product's hours
/// (the reporter derives them); estimated tenants get their own series.
public enum HourlyBreakdown {
    public static func series(_ input: RegionMonthInput, result: RegionMonthResult) -> [HourlySeries] {
        let month = input.month
        let hours = Int((month.end - month.start) / 3600)
        var out: [HourlySeries] = []
        var productHours: [String: [EmissionFigures]] = [:]
        let resultsBySite = Dictionary(result.sites.map { ($0.site, $0) }, uniquingKeysWith: { first, _ in first })

        for site in input.sites.sorted(by: { $0.site.site < $1.site.site }) {
            guard let monthly = resultsBySite[site.site.site] else { continue }
            let siteHours = siteSeries(site, month: month, hours: hours, factors: input.factors, monthly: monthly.figures)
            out.append(HourlySeries(layer: "site", site: site.site.site, hours: siteHours))

            // Shared part: everything except embodied hardware registered to a product.
            let evenUnassigned = site.embodiedUnassigned / Double(hours)
            let shared = siteHours.map { h in
                var hour = h
                hour.scope3 = evenUnassigned
                return hour
            }
            let weighted = site.productITKWh.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            var itTotal = 0.0
            for (_, it) in weighted { itTotal += it }
            var byProduct: [String: [EmissionFigures]] = [:]
            if itTotal > 0 {
                for (product, it) in weighted {
                    let w = it / itTotal
                    byProduct[product] = shared.map { $0.scaled(by: w) }
                }
            } else {
                out.append(HourlySeries(layer: "site", part: "unallocated", site: site.site.site, hours: shared))
            }
            for (product, embodied) in site.embodiedByProduct where embodied != 0 {
                let even = embodied / Double(hours)
                var series = byProduct[product] ?? Array(repeating: .zero, count: hours)
                for i in series.indices { series[i].scope3 += even }
                byProduct[product] = series
            }
            for (product, series) in byProduct.sorted(by: { $0.key < $1.key }) {
                out.append(HourlySeries(layer: "product_site", site: site.site.site, product: product, hours: series))
                var total = productHours[product] ?? Array(repeating: .zero, count: hours)
                for i in total.indices { total[i] += series[i] }
                productHours[product] = total
            }
        }

        for cell in result.productRegions {
            let series = productHours[cell.product] ?? Array(repeating: .zero, count: hours)
            out.append(HourlySeries(layer: "product", product: cell.product, hours: series))
            if cell.denominator > 0 {
                let idle = (cell.denominator - cell.usage) / cell.denominator
                if idle != 0 { out.append(HourlySeries(layer: "product", part: "unallocated", product: cell.product, hours: series.map { $0.scaled(by: idle) })) }
            } else if cell.figures != .zero {
                out.append(HourlySeries(layer: "product", part: "unallocated", product: cell.product, hours: series))
            }
        }

        // Estimated tenants: their own usage hour by hour.
        if result.tenants.contains(where: { $0.mode == .estimated }) {
            let measured = Set(productHours.keys)
            var missing = MissingTally()  // already reported by the monthly calculation
            let estimable = input.estimable.filter { !measured.contains($0.product) }
            var byCell: [String: [String: [EmissionFigures]]] = [:]
            for usage in estimable.sorted(by: { ($0.tenant, $0.product, $0.profile.key) < ($1.tenant, $1.product, $1.profile.key) }) {
                let cells = EstimationEngine.hourlyFigures(usage, region: input.region, month: month, hours: hours, factors: input.factors, missing: &missing)
                var series = byCell[usage.tenant]?[usage.product] ?? Array(repeating: .zero, count: hours)
                for i in series.indices { series[i] += cells[i] }
                byCell[usage.tenant, default: [:]][usage.product] = series
            }
            for (tenant, products) in byCell.sorted(by: { $0.key < $1.key }) {
                for (product, series) in products.sorted(by: { $0.key < $1.key }) {
                    out.append(HourlySeries(layer: "tenant", product: product, tenant: tenant, hours: series))
                }
            }
        }
        return out
    }

    /// A site's figures hour by hour (see the type's comment for each scope).
    static func siteSeries(
        _ site: SiteMonthInput, month: CalendarMonth, hours: Int, factors: FactorResolver, monthly: EmissionFigures
    ) -> [EmissionFigures] {
        var series = Array(repeating: EmissionFigures.zero, count: hours)
        func index(_ hour: Int64) -> Int? {
            let i = Int((hour - month.start) / 3600)
            return i >= 0 && i < hours ? i : nil
        }
        let grid = site.site.grid
        // As in the monthly figures: fuel factors must be per volume, gas factors per mass.
        let substances =
            site.fuels.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value, Dimension.volume) }
            + site.refrigerants.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value, Dimension.mass) }
        for (activity, amounts, dimension) in substances {
            let timeline = factors.timeline(activity: activity, region: grid)
            for entry in amounts where entry.amount != 0 {
                guard let i = index(entry.hour), let factor = timeline.factor(at: entry.hour), factor.denominatorDimension == dimension
                else { continue }
                series[i].scope1 += entry.amount * factor.value
            }
        }
        let electricity = factors.timeline(activity: "electricity", region: grid)
        let residual = factors.timeline(activity: "residual_electricity", region: grid)
        var weights = Array(repeating: 0.0, count: hours)
        var weightTotal = 0.0
        let certificates = HourlyMatching.certificatesByHour(site.certificatesHourly)
        for entry in site.gridElectricityKWh where entry.amount != 0 {
            guard let i = index(entry.hour) else { continue }
            series[i].energyKWh += entry.amount
            let location = electricity.factor(at: entry.hour)
            if let location { series[i].scope2Location += entry.amount * location.value }
            let r = residual.factor(at: entry.hour)?.value ?? location?.value ?? 0
            weights[i] += entry.amount * r
            weightTotal += entry.amount * r
            // The hourly method is computed hour by hour, as the monthly figure is summed.
            let match = HourlyMatching.match(grid: entry.amount, certificates: certificates[entry.hour] ?? 0)
            series[i].scope2MarketHourly += match.uncovered * r
            series[i].cfeKWh += match.covered
        }
        if weightTotal > 0 {
            for i in 0..<hours where weights[i] != 0 { series[i].scope2Market = monthly.scope2Market * (weights[i] / weightTotal) }
        }
        let evenScope3 = monthly.scope3 / Double(hours)
        // On-site renewables are energy and carbon-free energy alike.
        if site.onsiteRenewableHourly.isEmpty {
            let evenRenewable = site.onsiteRenewableKWh / Double(hours)
            for i in 0..<hours {
                series[i].energyKWh += evenRenewable
                series[i].cfeKWh += evenRenewable
            }
        } else {
            for entry in site.onsiteRenewableHourly {
                if let i = index(entry.hour) {
                    series[i].energyKWh += entry.amount
                    series[i].cfeKWh += entry.amount
                }
            }
        }
        for i in 0..<hours { series[i].scope3 = evenScope3 }
        return series
    }
}

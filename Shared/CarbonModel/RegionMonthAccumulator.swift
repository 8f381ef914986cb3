import Foundation

/// Gathers the integer micro-unit amounts of one region and month — per series and hourly
/// bucket, as the calculator keeps them — and shapes them into the engine's `RegionMonthInput`.
/// Pure: the calculator feeds it from its store, the in-process benchmark baseline from
/// records it splits itself, and both get the same input for the same amounts.
public struct RegionMonthAccumulator: Sendable {
    private var hourly: [String: [String: [Int64: Int64]]] = [:]  // site -> series -> bucket -> micro
    private var totals: [String: [String: Int64]] = [:]  // site -> series -> micro
    private var usageMicro: [String: [String: Int64]] = [:]
    private var estimableMicro: [EstimableKey: [Int64: Int64]] = [:]  // (product, tenant, profile) -> bucket -> micro
    /// Product -> Σ plain usage of every tenant, when the caller adds only some tenants' usage.
    private var usageTotalsMicro: [String: Int64]?

    public init() {}

    /// Declares U's plain part per product (micro-units, over every tenant), for an input that
    /// holds only some tenants' usage (``RegionMonthInput/usageTotals``).
    public mutating func setUsageTotals(_ totals: [String: Int64]) { usageTotalsMicro = totals }

    /// Adds `amount` micro-units of a series (kind, site, product, tenant, substance) in `bucket`.
    public mutating func add(kind: ActivityKind, site: String, product: String, tenant: String, substance: String, bucket: Int64, amount: Int64) {
        switch kind {
        case .usage:
            if let profile = EstimationProfile(key: substance) {
                estimableMicro[EstimableKey(product: product, tenant: tenant, profile: profile), default: [:]][bucket, default: 0] += amount
            } else {
                usageMicro[product, default: [:]][tenant, default: 0] += amount
            }
        case .facilityElectricity:
            // Readings go through the meter checks; what a load profile spread does not.
            let series = substance == SeriesContribution.profiledElectricity ? "grid-profiled" : "grid"
            hourly[site, default: [:]][series, default: [:]][bucket, default: 0] += amount
        case .facilityFuel:
            hourly[site, default: [:]]["fuel:" + substance, default: [:]][bucket, default: 0] += amount
        case .facilityRefrigerant:
            hourly[site, default: [:]]["gas:" + substance, default: [:]][bucket, default: 0] += amount
        case .facilityOnsiteRenewable:
            totals[site, default: [:]]["renewable", default: 0] += amount
            hourly[site, default: [:]]["renewable", default: [:]][bucket, default: 0] += amount
        case .facilityITElectricity:
            totals[site, default: [:]]["it", default: 0] += amount
        case .facilityCertificate:
            // The substance of a certificate is the grid it was produced in ("" when unnamed).
            hourly[site, default: [:]]["certificates:" + substance, default: [:]][bucket, default: 0] += amount
        case .productITElectricity:
            totals[site, default: [:]]["product-it:" + product, default: 0] += amount
        case .productCapacity:
            totals[site, default: [:]]["capacity:" + product, default: 0] += amount
        case .hardwareEmbodied:
            totals[site, default: [:]]["embodied:" + product, default: 0] += amount
        // Facility measures enter as monthly totals; a series that was added to, even with 0,
        // was measured (``SeriesContribution`` keeps a measured zero as a zero part).
        case .facilityWaterWithdrawal:
            totals[site, default: [:]]["water-in:" + substance, default: 0] += amount
        case .facilityWaterDischarge:
            totals[site, default: [:]]["water-out:" + substance, default: 0] += amount
        case .facilityHeatReuse:
            totals[site, default: [:]]["heat-reuse", default: 0] += amount
        case .facilityCoolingEnergy:
            totals[site, default: [:]]["cooling", default: 0] += amount
        }
    }

    /// The engine's input: amounts become Doubles only here. Sites not in `sites` are left out.
    /// Each site's grid-electricity meter series goes through the data-quality pass
    /// (``MeterSeriesQuality``, thresholds from `quality`): gaps within the month are filled by
    /// interpolation and outliers flagged, kept at their value.
    public func input(
        region: String, month: CalendarMonth, sites declared: [String: SiteDeclaration], products: [String: ProductDeclaration],
        factors: FactorResolver, quality: DataQualitySettings = .default, marketBoundary: MarketBoundary = .hourlyOnly
    ) -> RegionMonthInput {
        var sites: [String: SiteMonthInput] = [:]
        var usage: [String: [String: Double]] = [:]
        for (product, tenants) in usageMicro {
            usage[product] = tenants.mapValues(micro)
        }
        var estimable: [EstimableUsage] = []
        for (key, buckets) in estimableMicro {
            // From the product's allocation unit to the unit the CCF formula takes.
            let scale = EstimationCoefficients.quantityScale(productUnit: products[key.product]?.unit, resource: key.profile.resource)
            var total: Int64 = 0
            let hourly = buckets.sorted { $0.key < $1.key }.map { bucket, amount in
                total += amount
                return HourlyAmount(hour: bucket, amount: scale == 1 ? micro(amount) : micro(amount) * scale)
            }
            estimable.append(EstimableUsage(tenant: key.tenant, product: key.product, profile: key.profile, hourly: hourly, usage: micro(total)))
        }
        for site in Set(hourly.keys).union(totals.keys) {
            guard let declaration = declared[site] else { continue }
            var input = SiteMonthInput(site: declaration)
            for (series, buckets) in hourly[site] ?? [:] {
                let amounts = buckets.sorted { $0.key < $1.key }.map { HourlyAmount(hour: $0.key, amount: micro($0.value)) }
                if series == "grid" {
                    let assessed = MeterSeriesQuality.assess(amounts, policy: quality.outliers, maxGapHours: quality.maxGapHours)
                    input.gridElectricityKWh = assessed.map { HourlyAmount(hour: $0.hour, amount: $0.amount) }
                    for entry in assessed where entry.quality != .measured { input.gridQuality[entry.hour] = entry.quality }
                } else if series == "renewable" {
                    input.onsiteRenewableHourly = amounts
                } else if series.hasPrefix("fuel:") {
                    input.fuels[String(series.dropFirst(5))] = amounts
                } else if series.hasPrefix("gas:") {
                    input.refrigerants[String(series.dropFirst(4))] = amounts
                } else if series.hasPrefix("certificates:") {
                    let grid = String(series.dropFirst(13))
                    let total = micro(buckets.values.reduce(0, +))
                    if grid.isEmpty || grid == declaration.grid {
                        input.certificatesHourly = (input.certificatesHourly + amounts).sorted { $0.hour < $1.hour }
                        input.certificatesKWh += total
                    } else {
                        input.outOfBoundaryCertificatesKWh += total
                        if marketBoundary == .hourlyOnly { input.certificatesKWh += total }
                    }
                }
            }
            // Profile-spread electricity joins the assessed readings hour by hour, and each hour
            // keeps how much of it rests on the profile.
            if let profiled = hourly[site]?["grid-profiled"] {
                var merged: [Int64: Double] = [:]
                for entry in input.gridElectricityKWh { merged[entry.hour] = entry.amount }
                for (hour, amount) in profiled where amount != 0 {
                    merged[hour, default: 0] += micro(amount)
                    input.gridProfiledKWh[hour] = micro(amount)
                }
                input.gridElectricityKWh = merged.sorted { $0.key < $1.key }.map { HourlyAmount(hour: $0.key, amount: $0.value) }
            }
            for (series, amount) in totals[site] ?? [:] {
                let value = micro(amount)
                switch series {
                case "renewable": input.onsiteRenewableKWh = value
                case "it": input.facilityITKWh = value
                case let s where s.hasPrefix("product-it:"): input.productITKWh[String(s.dropFirst(11))] = value
                case let s where s.hasPrefix("capacity:"): input.productCapacity[String(s.dropFirst(9))] = value
                case "embodied:": input.embodiedUnassigned = value
                case let s where s.hasPrefix("embodied:"): input.embodiedByProduct[String(s.dropFirst(9))] = value
                case let s where s.hasPrefix("water-in:"): input.waterWithdrawalL[String(s.dropFirst(9)), default: 0] += value
                case let s where s.hasPrefix("water-out:"): input.waterDischargeL[String(s.dropFirst(10)), default: 0] += value
                case "heat-reuse": input.heatReuseKWh = value
                case "cooling": input.coolingKWh = value
                default: break
                }
            }
            sites[site] = input
        }
        var input = RegionMonthInput(
            region: region, month: month, sites: sites.keys.sorted().compactMap { sites[$0] }, products: products, usage: usage,
            estimable: estimable, factors: factors)
        // U from the exact integer sums, whichever tenants were added: the same denominator
        // whether a recalculation reads every tenant or only those that changed.
        // (Nothing to sum when no plain usage was added: then U is the engine's sum of whatever
        // usage the caller puts in the input.)
        if let given = usageTotalsMicro {
            input.usageTotals = given.mapValues(micro)
        } else if !usageMicro.isEmpty {
            input.usageTotals = usageMicro.mapValues { micro($0.values.reduce(0, +)) }
        }
        return input
    }

    private func micro(_ amount: Int64) -> Double { Double(amount) / 1_000_000 }

    private struct EstimableKey: Hashable, Sendable {
        var product: String
        var tenant: String
        var profile: EstimationProfile
    }
}

/// Estimation mode (docs/model.md §15): emissions of cloud usage from resource details alone, in the
/// manner of the Cloud Carbon Footprint methodology, for usage of a product in a region where
/// no facility data is known.
///
/// The formula functions reproduce CCF's arithmetic operation for operation (same operands,
/// same order), so they give CCF's results bit for bit; the golden cases in
/// `refdata/golden/ccf_estimator_golden_cases.csv` check exactly that. Energies are kWh at
/// the facility (PUE and replication applied); emissions are energy × factor, in whatever mass
/// unit the factor is in (CCF's tests use t CO2e/kWh, the calculator kg CO2e/kWh).
public enum EstimationEngine {
    // MARK: - CCF formulas

    /// Compute: `(W_min + util × (W_max − W_min)) × vCPU_h × PUE × replication / 1000` kWh.
    /// `utilization` is a fraction (CCF's tests pass a percentage, so `pct / 100`).
    public static func computeKWh(
        vCPUHours: Double, minWatts: Double, maxWatts: Double, utilization: Double, pue: Double, replication: Double = 1
    ) -> Double {
        let averageWatts = minWatts + utilization * (maxWatts - minWatts)
        return computeKWh(vCPUHours: vCPUHours, averageWatts: averageWatts, pue: pue, replication: replication)
    }

    /// Compute with a known average draw per vCPU (overrides W_min/W_max):
    /// `W_avg × vCPU_h × PUE × replication / 1000` kWh.
    public static func computeKWh(vCPUHours: Double, averageWatts: Double, pue: Double, replication: Double = 1) -> Double {
        (averageWatts * vCPUHours * pue * replication) / 1000
    }

    /// Memory: `GB_h × kWh/GB-h × PUE × replication` kWh (CCF: 0.000392 kWh/GB-h).
    public static func memoryKWh(gigabyteHours: Double, kWhPerGBh: Double, pue: Double, replication: Double = 1) -> Double {
        gigabyteHours * kWhPerGBh * pue * replication
    }

    /// Storage: `TB_h × Wh/TB-h × PUE × replication / 1000` kWh (CCF: SSD 1.2, HDD 0.65 Wh/TB-h).
    public static func storageKWh(terabyteHours: Double, whPerTBh: Double, pue: Double, replication: Double = 1) -> Double {
        (terabyteHours * whPerTBh * pue * replication) / 1000
    }

    /// Network egress: `GB × kWh/GB × PUE` kWh (CCF: 0.001 kWh/GB; CCF applies no replication).
    public static func networkKWh(gigabytes: Double, kWhPerGB: Double, pue: Double) -> Double {
        gigabytes * kWhPerGB * pue
    }

    /// Operational emissions: `kWh × EF`.
    public static func emissions(kWh: Double, factor: Double) -> Double { kWh * factor }

    /// Embodied emissions of an instance's use: the host's embodied emissions × the share of
    /// its life used × the instance's share of the largest instance on that host,
    /// `E_host × (usage_h / lifespan_h) × (vCPU / largest_vCPU)`.
    public static func embodiedEmissions(
        hostEmbodied: Double, usageHours: Double, lifespanHours: Double, instanceVCPUs: Double, largestInstanceVCPUs: Double
    ) -> Double {
        hostEmbodied * (usageHours / lifespanHours) * (instanceVCPUs / largestInstanceVCPUs)
    }

    /// CCF reports embodied emissions also as "kWh" (emissions ÷ grid factor) so that they can
    /// be charted with energy; kept only to reproduce CCF's figures, never summed with energy.
    public static func embodiedKWhEquivalent(emissions: Double, factor: Double) -> Double { emissions / factor }

    // MARK: - Profiles

    /// Facility kWh of `quantity` (in `profile.resource.quantityUnit`) used in `region`, with
    /// the shipped CCF coefficients of the profile's provider (``EstimationCoefficients``).
    public static func kWh(_ quantity: Double, profile: EstimationProfile, region: String) -> Double {
        EstimationCoefficients(profile: profile, region: region).kWh(quantity)
    }

    // MARK: - Tenant results

    /// One estimable series' figures per hour of `month` (dense, `hours` entries), with the same
    /// arithmetic as ``tenantResults``, so the hours sum to the monthly cell.
    static func hourlyFigures(
        _ series: EstimableUsage, region: String, month: CalendarMonth, hours: Int, factors: FactorResolver, missing: inout MissingTally
    ) -> [EmissionFigures] {
        var out = Array(repeating: EmissionFigures.zero, count: hours)
        let grid = CCFCoefficients.gridRegion(provider: series.profile.provider, region: region)
        let electricity = factors.timeline(activity: "electricity", region: grid)
        let residual = factors.timeline(activity: "residual_electricity", region: grid)
        let coefficients = EstimationCoefficients(profile: series.profile, region: region)
        for entry in series.hourly where entry.amount != 0 {
            let i = Int((entry.hour - month.start) / 3600)
            guard i >= 0, i < hours else { continue }
            let kWh = coefficients.kWh(entry.amount)
            out[i].energyKWh += kWh
            guard let location = electricity.factor(at: entry.hour) else {
                missing.add(activity: "electricity", region: grid, amount: kWh)
                continue
            }
            out[i].scope2Location += emissions(kWh: kWh, factor: location.value)
            let market = emissions(kWh: kWh, factor: (residual.factor(at: entry.hour) ?? location).value)
            // An estimated cell has no certificates: both market-based methods price it at the residual mix.
            out[i].scope2Market += market
            out[i].scope2MarketHourly += market
        }
        return out
    }

    /// Estimated layer-3 results of one region-month: per (tenant, product), Σ over profiles and
    /// hours of `kWh(h) × EF(h)`, with the grid factor of `<provider>/<region>` for scope 2
    /// location-based and the residual mix (else the grid factor) for market-based, hour by hour
    /// like measured figures. Scope 1 and 3 are zero: no facility fuel is known, and embodied
    /// emissions need the host's embodied figure, which usage records do not carry.
    static func tenantResults(
        _ usage: [EstimableUsage], region: String, month: CalendarMonth, factors: FactorResolver, missing: inout MissingTally
    ) -> [TenantResult] {
        struct Key: Hashable, Comparable {
            var tenant: String
            var product: String
            static func < (a: Key, b: Key) -> Bool { (a.tenant, a.product) < (b.tenant, b.product) }
        }
        var figures: [Key: EmissionFigures] = [:]
        var usageTotals: [Key: Double] = [:]
        var used: [Key: Set<FactorReference>] = [:]
        let ordered = usage.sorted { ($0.tenant, $0.product, $0.profile.key) < ($1.tenant, $1.product, $1.profile.key) }
        for series in ordered {
            let key = Key(tenant: series.tenant, product: series.product)
            let grid = CCFCoefficients.gridRegion(provider: series.profile.provider, region: region)
            let electricity = factors.timeline(activity: "electricity", region: grid)
            let residual = factors.timeline(activity: "residual_electricity", region: grid)
            var cell = figures[key] ?? .zero
            let coefficients = EstimationCoefficients(profile: series.profile, region: region)
            for entry in series.hourly where entry.amount != 0 {
                let kWh = coefficients.kWh(entry.amount)
                cell.energyKWh += kWh
                guard let location = electricity.factor(at: entry.hour) else {
                    missing.add(activity: "electricity", region: grid, amount: kWh)
                    continue
                }
                cell.scope2Location += emissions(kWh: kWh, factor: location.value)
                let market = residual.factor(at: entry.hour) ?? location
                cell.scope2Market += emissions(kWh: kWh, factor: market.value)
                // No certificates reach an estimated cell: the hourly method gives the same figure.
                cell.scope2MarketHourly += emissions(kWh: kWh, factor: market.value)
                used[key, default: []].insert(FactorReference(location))
                used[key, default: []].insert(FactorReference(market))
            }
            figures[key] = cell
            usageTotals[key, default: 0] += series.usage
        }
        return figures.keys.sorted().map { key in
            TenantResult(
                tenant: key.tenant, product: key.product, region: region, month: month, figures: figures[key] ?? .zero,
                usage: usageTotals[key] ?? 0, share: 1, mode: .estimated,
                factorsUsed: (used[key] ?? []).sorted { ($0.factor, $0.version, $0.value) < ($1.factor, $1.version, $1.value) },
                quality: (figures[key] ?? .zero).totalLocation == 0 ? .zero : .allEstimated)
        }
    }
}

/// Lineage of an estimated tenant cell (docs/model.md §15, §18): every usage record with
/// resource details behind it, each split by the grid factors in force, the CCF coefficients of
/// each estimation profile (name, version, value, unit, source) and the grid factors (id,
/// version, value, unit, source) — enough to recompute the cell by hand:
///
/// - per term: `quantity = amount × unit_scale` (product unit → the profile's quantity unit);
///   `kwh` by the profile's `formula` with its `coefficients`;
///   `scope2_location = kwh × location.value`, `scope2_market = kwh × market.value`
///   (0 where no grid factor is known: the calculator reports that factor missing);
/// - the cell: `energy_kwh = Σ kwh`, `scope2_location = Σ`, `scope2_market = Σ`, scope 1 and 3 = 0.
///
/// The terms use ``EstimationCoefficients``, as the engine does; the engine sums hour by hour
/// and series by series, the lineage record by record, so the two agree to rounding.
public struct EstimatedLineage: Codable, Sendable {
    /// One number of a CCF formula with where it comes from.
    public struct Coefficient: Codable, Sendable, Hashable {
        /// The name the profile's `formula` uses (`min_watts`, `pue`, …).
        public var symbol: String
        /// Which constant it is, e.g. `ccf.aws.CASCADE_LAKE.min_watts`, `ccf.gcp.pue.us-central1`.
        public var name: String
        public var value: Double
        public var unit: String
        public var version: String
        public var source: String
    }

    /// One estimation profile (provider, resource type and refinements) with its coefficients.
    public struct Profile: Codable, Sendable, Hashable {
        public var key: String
        public var provider: String
        public var resource: String
        public var processor: String?
        public var quantityUnit: String
        public var productUnit: String
        /// quantity = amount (product unit) × unit_scale.
        public var unitScale: Double
        public var formula: String
        public var coefficients: [Coefficient]

        private enum CodingKeys: String, CodingKey {
            case key, provider, resource, processor
            case quantityUnit = "quantity_unit"
            case productUnit = "product_unit"
            case unitScale = "unit_scale"
            case formula, coefficients
        }
    }

    /// One usage record's part of the month under one (location, market) factor pair.
    public struct Term: Codable, Sendable, Hashable {
        public var source: String
        public var id: String
        public var revision: Int
        /// The ``Profile`` key.
        public var profile: String
        /// In the product's allocation unit, within the month and the factors' validity.
        public var amount: Double
        public var unit: String
        /// `amount × unit_scale`, in the profile's quantity unit.
        public var quantity: Double
        public var kwh: Double
        public var location: FactorReference?
        public var market: FactorReference?
        public var scope2Location: Double
        public var scope2Market: Double

        private enum CodingKeys: String, CodingKey {
            case source, id, revision, profile, amount, unit, quantity, kwh, location, market
            case scope2Location = "scope2_location"
            case scope2Market = "scope2_market"
        }
    }

    public var region: String
    public var profiles: [Profile]
    public var terms: [Term]
    public var figures: EmissionFigures

    public static let formulas: [String: String] = [
        "quantity": "per term, quantity = amount × unit_scale of its profile (estimation.profiles[].unit_scale)",
        "compute": "kwh = quantity × (min_watts + utilization × (max_watts − min_watts)) × pue × replication / 1000",
        "memory": "kwh = quantity × kwh_per_gb_h × pue × replication",
        "ssd": "kwh = quantity × wh_per_tb_h × pue × replication / 1000",
        "hdd": "kwh = quantity × wh_per_tb_h × pue × replication / 1000",
        "network": "kwh = quantity × kwh_per_gb × pue (no replication, as in CCF)",
        "scope2_location": "sum over estimation.terms of kwh × location.value (a term without a location factor adds 0)",
        "scope2_market": "sum over estimation.terms of kwh × market.value (the residual mix where one is in force, else the grid factor)",
        "energy_kwh": "sum over estimation.terms of kwh",
        "scope1": "0: no facility fuel is known in estimation mode",
        "scope3": "0: embodied emissions need the host's embodied figure, which usage records do not carry",
        "totals": "total_location = scope1 + scope2_location + scope3; total_market = scope1 + scope2_market + scope3",
    ]

    /// Builds the lineage of the estimate of `records` (usage records with resource details of
    /// one tenant and product; others are ignored) in `region` and `month`. `productUnit` is the
    /// product's allocation unit, the unit of the records' amounts.
    public static func build(
        records: [NormalizedRecord], region: String, month: CalendarMonth, productUnit: String?, factors: FactorResolver
    ) -> EstimatedLineage {
        var profiles: [String: Profile] = [:]
        var terms: [Term] = []
        var figures = EmissionFigures.zero
        for record in records.sorted(by: { ($0.source, $0.id) < ($1.source, $1.id) }) {
            guard let profile = record.estimationProfile else { continue }
            let coefficients = EstimationCoefficients(profile: profile, region: region)
            let scale = EstimationCoefficients.quantityScale(productUnit: productUnit, resource: profile.resource)
            if profiles[profile.key] == nil {
                profiles[profile.key] = describe(coefficients, productUnit: productUnit ?? record.unit, scale: scale)
            }
            let grid = CCFCoefficients.gridRegion(provider: profile.provider, region: region)
            let electricity = factors.timeline(activity: "electricity", region: grid)
            let residual = factors.timeline(activity: "residual_electricity", region: grid)
            // Micro-amounts of the month grouped by the (location, market) factors in force.
            var groups: [(EmissionFactor?, EmissionFactor?, Int64)] = []
            let buckets = TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity)
            for bucket in buckets where bucket.amount != 0 && bucket.start >= month.start && bucket.start < month.end {
                let location = electricity.factor(at: bucket.start)
                let market = location == nil ? nil : residual.factor(at: bucket.start) ?? location
                if let i = groups.firstIndex(where: { $0.0 == location && $0.1 == market }) {
                    groups[i].2 += bucket.amount
                } else {
                    groups.append((location, market, bucket.amount))
                }
            }
            for (location, market, micro) in groups {
                let amount = Double(micro) / 1_000_000
                let quantity = scale == 1 ? amount : amount * scale
                let kWh = coefficients.kWh(quantity)
                let term = Term(
                    source: record.source, id: record.id, revision: record.revision, profile: profile.key, amount: amount, unit: record.unit,
                    quantity: quantity, kwh: kWh, location: location.map { FactorReference($0) }, market: market.map { FactorReference($0) },
                    scope2Location: location.map { EstimationEngine.emissions(kWh: kWh, factor: $0.value) } ?? 0,
                    scope2Market: market.map { EstimationEngine.emissions(kWh: kWh, factor: $0.value) } ?? 0)
                figures.energyKWh += term.kwh
                figures.scope2Location += term.scope2Location
                figures.scope2Market += term.scope2Market
                terms.append(term)
            }
        }
        return EstimatedLineage(
            region: region, profiles: profiles.keys.sorted().compactMap { profiles[$0] }, terms: terms, figures: figures)
    }

    /// The profile's coefficients as a verifier reads them, named after the CCF constants.
    static func describe(_ c: EstimationCoefficients, productUnit: String, scale: Double) -> Profile {
        let provider = c.profile.provider.rawValue
        let version = CCFCoefficients.version
        func ccf(_ symbol: String, _ name: String, _ value: Double, _ unit: String, _ file: String) -> Coefficient {
            Coefficient(symbol: symbol, name: name, value: value, unit: unit, version: version, source: "\(CCFCoefficients.source), \(file)")
        }
        var list: [Coefficient] = []
        switch c.profile.resource {
        case .compute:
            let file = c.processorWatts ? "compute_processor_coefficients.csv" : "scalar_constants.csv"
            let prefix = c.processorWatts ? "ccf.\(provider).\(c.profile.processor ?? "")" : "ccf.\(provider)"
            list.append(ccf("min_watts", "\(prefix).min_watts", c.watts.min, "W/vCPU", file))
            list.append(ccf("max_watts", "\(prefix).max_watts", c.watts.max, "W/vCPU", file))
            list.append(
                c.profile.utilization == nil
                    ? ccf("utilization", "ccf.avg_cpu_utilization_2020", c.utilization, "fraction", "AVG_CPU_UTILIZATION_2020")
                    : Coefficient(
                        symbol: "utilization", name: "record.utilization", value: c.utilization, unit: "fraction", version: "record",
                        source: "the usage records (utilization)"))
        case .memory:
            list.append(ccf("kwh_per_gb_h", "ccf.\(provider).memory.kwh_per_gb_h", c.perUnit, "kWh/GB-h", "scalar_constants.csv"))
        case .ssd, .hdd:
            list.append(ccf("wh_per_tb_h", "ccf.\(provider).\(c.profile.resource.rawValue).wh_per_tb_h", c.perUnit, "Wh/TB-h", "scalar_constants.csv"))
        case .network:
            list.append(ccf("kwh_per_gb", "ccf.\(provider).network.kwh_per_gb", c.perUnit, "kWh/GB", "scalar_constants.csv"))
        }
        list.append(
            c.regionalPUE
                ? ccf("pue", "ccf.\(provider).pue.\(c.region)", c.pue, "ratio", "pue.csv")
                : ccf("pue", "ccf.\(provider).pue.average", c.pue, "ratio", "scalar_constants.csv"))
        if c.profile.resource != .network {
            list.append(
                Coefficient(
                    symbol: "replication", name: "record.replication", value: c.replication, unit: "copies", version: "record",
                    source: "the usage records (replication; 1 when absent)"))
        }
        return Profile(
            key: c.profile.key, provider: provider, resource: c.profile.resource.rawValue, processor: c.profile.processor,
            quantityUnit: c.profile.resource.quantityUnit, productUnit: productUnit, unitScale: scale,
            formula: formulas[c.profile.resource.rawValue] ?? "", coefficients: list)
    }
}

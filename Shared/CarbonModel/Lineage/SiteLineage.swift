/// Lineage of one site-month result cell (docs/model.md §18, explainable to a verifier): every input
/// record behind it with its amount in the month, split by the factor in force, and every
/// factor with id, version and value — enough to recompute the cell by hand:
///
/// - `scope1 = Σ terms[scope1].amount × factor.value`
/// - `scope2_location = Σ terms[scope2_location].amount × factor.value`
/// - `scope2_market = max(0, grid_kwh − certificates_kwh) × (Σ terms[residual].amount × factor.value) / grid_kwh`
/// - `scope3 = Σ terms[scope3].amount`; `energy_kwh = grid_kwh + Σ terms[renewable].amount`
/// - `scope2_market_hourly = Σ hours max(0, grid_kwh − certificates_kwh) × residual.value`
/// - `cfe_kwh = Σ terms[renewable].amount + Σ hours min(grid_kwh, certificates_kwh)`
///
/// Hours of the grid series filled by interpolation appear as terms with source `gap-fill`
/// and id the hour (they are in `grid_kwh` too); `data_quality` lists the filled, flagged and
/// profiled hours with their amounts, so the cell's quality shares can be recomputed as well.
/// `hours` lists every hour of the month with grid electricity or certificates of the site's
/// market boundary, so the hourly method can be recomputed hour by hour.
public struct SiteLineage: Codable, Sendable {
    /// One record's contribution under one factor: `amount` (canonical unit, within the month
    /// and the factor's validity) × `factor.value`.
    public struct Term: Codable, Sendable, Hashable {
        public var scope: String
        public var source: String
        public var id: String
        public var revision: Int
        public var kind: String
        public var amount: Double
        public var unit: String
        public var factor: FactorReference?
    }

    public var site: String
    public var region: String
    public var grid: String
    public var month: CalendarMonth
    public var formula: [String: String]
    public var gridKWh: Double
    public var certificatesKWh: Double
    public var terms: [Term]
    /// The hours of the grid series that are not plain readings: filled, flagged or profiled.
    public var dataQuality: [QualifiedHour]
    /// The hourly method's inputs, hour by hour (``MatchedHour``).
    public var hours: [MatchedHour]

    /// One hour of the hourly method: the site's grid electricity (readings, filled and
    /// profiled), the certificates of its grid (or naming none) in the hour, and the residual
    /// factor in force (the grid factor where no residual mix is).
    public struct MatchedHour: Codable, Sendable, Hashable {
        public var hour: String
        public var gridKWh: Double
        public var certificatesKWh: Double
        public var residual: FactorReference?

        private enum CodingKeys: String, CodingKey {
            case hour
            case gridKWh = "grid_kwh"
            case certificatesKWh = "certificates_kwh"
            case residual
        }
    }

    /// One filled or flagged hour of the grid series, with the location-based factor in force.
    public struct QualifiedHour: Codable, Sendable, Hashable {
        public var hour: String
        public var kwh: Double
        public var quality: DataQuality
        public var factor: FactorReference?
    }

    private enum CodingKeys: String, CodingKey {
        case site, region, grid, month, formula
        case gridKWh = "grid_kwh"
        case certificatesKWh = "certificates_kwh"
        case terms
        case dataQuality = "data_quality"
        case hours
    }

    public static let formulas: [String: String] = [
        "scope1": "sum over terms with scope scope1 of amount × factor.value",
        "scope2_location": "sum over terms with scope scope2_location of amount × factor.value",
        "scope2_market": "max(0, grid_kwh − certificates_kwh) × (sum over terms with scope residual of amount × factor.value) / grid_kwh",
        "scope3": "sum over terms with scope scope3 of amount",
        "energy_kwh": "grid_kwh + sum over terms with scope renewable of amount",
        "water_l": "sum over terms with scope water_withdrawal of amount − sum over terms with scope water_discharge of amount",
        "scope2_market_hourly": "sum over hours of max(0, grid_kwh − certificates_kwh) × residual.value",
        "cfe_kwh": "sum over terms with scope renewable of amount + sum over hours of min(grid_kwh, certificates_kwh)",
        "quality": "filled (flagged, profiled) share of total_location = sum over data_quality hours with quality filled (flagged, profiled) of kwh × factor.value / (scope1 + scope2_location + scope3)",
    ]

    /// Builds the lineage from the site's records (any that touch the month; the rest are
    /// ignored) and the factor library the calculator used. Amounts are summed in integer
    /// micro-units per (record, factor) before conversion, as the calculator's ledger does.
    public static func build(
        site: SiteDeclaration, month: CalendarMonth, records: [NormalizedRecord], factors: FactorResolver,
        quality: DataQualitySettings = .default
    ) -> SiteLineage {
        var terms: [Term] = []
        var gridHourly: [Int64: Int64] = [:]
        var profiledHourly: [Int64: Int64] = [:]
        var matchedCertificates: [Int64: Int64] = [:]
        var gridMicro: Int64 = 0
        var certificatesMicro: Int64 = 0
        for record in records.sorted(by: { ($0.source, $0.id) < ($1.source, $1.id) })
        where record.site == site.site && record.start < month.end && record.end > month.start {
            // Split as the calculator's ledger splits it (by the record's load profile, if any).
            let contribution = SeriesContribution(record)
            let buckets = contribution.parts.filter { $0.start >= month.start && $0.start < month.end }
            func term(_ scope: String, amount: Int64, factor: EmissionFactor?) -> Term {
                Term(
                    scope: scope, source: record.source, id: record.id, revision: record.revision, kind: record.kind.rawValue,
                    amount: Double(amount) / 1_000_000, unit: record.unit,
                    factor: factor.map { FactorReference($0) })
            }
            /// Micro-amounts grouped by the factor in force in each bucket, in order of first use.
            func byFactor(activity: String) -> [(EmissionFactor?, Int64)] {
                let timeline = factors.timeline(activity: activity, region: site.grid)
                var groups: [(EmissionFactor?, Int64)] = []
                for bucket in buckets where bucket.amount != 0 {
                    let factor = timeline.factor(at: bucket.start)
                    if let index = groups.firstIndex(where: { $0.0 == factor }) {
                        groups[index].1 += bucket.amount
                    } else {
                        groups.append((factor, bucket.amount))
                    }
                }
                return groups
            }
            let total = buckets.reduce(Int64(0)) { $0 + $1.amount }
            switch record.kind {
            case .facilityElectricity:
                gridMicro += total
                let profiled = contribution.series.substance == SeriesContribution.profiledElectricity
                for bucket in buckets {
                    if profiled { profiledHourly[bucket.start, default: 0] += bucket.amount } else { gridHourly[bucket.start, default: 0] += bucket.amount }
                }
                for (factor, amount) in byFactor(activity: "electricity") {
                    terms.append(term("scope2_location", amount: amount, factor: factor))
                }
                // The residual mix where one is in force, else the grid factor (docs/model.md §9).
                let residualTimeline = factors.timeline(activity: "residual_electricity", region: site.grid)
                let gridTimeline = factors.timeline(activity: "electricity", region: site.grid)
                var groups: [(EmissionFactor?, Int64)] = []
                for bucket in buckets where bucket.amount != 0 {
                    let factor = residualTimeline.factor(at: bucket.start) ?? gridTimeline.factor(at: bucket.start)
                    if let index = groups.firstIndex(where: { $0.0 == factor }) { groups[index].1 += bucket.amount } else { groups.append((factor, bucket.amount)) }
                }
                for (factor, amount) in groups { terms.append(term("residual", amount: amount, factor: factor)) }
            case .facilityFuel, .facilityRefrigerant:
                for (factor, amount) in byFactor(activity: record.substance ?? "") {
                    terms.append(term("scope1", amount: amount, factor: factor))
                }
            case .facilityCertificate:
                certificatesMicro += total
                terms.append(term("certificates", amount: total, factor: nil))
                // Applied hour by hour only within the site's grid (docs/model.md §9).
                if (record.substance ?? "").isEmpty || record.substance == site.grid {
                    for bucket in buckets { matchedCertificates[bucket.start, default: 0] += bucket.amount }
                }
            case .facilityOnsiteRenewable:
                terms.append(term("renewable", amount: total, factor: nil))
            case .hardwareEmbodied:
                terms.append(term("scope3", amount: total, factor: nil))
            case .facilityWaterWithdrawal:
                terms.append(term("water_withdrawal", amount: total, factor: nil))
            case .facilityWaterDischarge:
                terms.append(term("water_discharge", amount: total, factor: nil))
            case .facilityITElectricity, .productITElectricity, .productCapacity, .usage, .facilityHeatReuse, .facilityCoolingEnergy:
                continue
            }
        }
        // The data-quality pass exactly as the calculator runs it on the same hourly sums.
        let readings = gridHourly.filter { $0.value != 0 }.sorted { $0.key < $1.key }
            .map { HourlyAmount(hour: $0.key, amount: Double($0.value) / 1_000_000) }
        let assessed = MeterSeriesQuality.assess(readings, policy: quality.outliers, maxGapHours: quality.maxGapHours)
        var filledKWh = 0.0
        var filled: [Int64: Double] = [:]
        var qualified: [QualifiedHour] = []
        let gridTimeline = factors.timeline(activity: "electricity", region: site.grid)
        let residualTimeline = factors.timeline(activity: "residual_electricity", region: site.grid)
        func reference(_ factor: EmissionFactor?) -> FactorReference? {
            factor.map { FactorReference(factor: $0.factor, version: $0.version, value: $0.value) }
        }
        for entry in assessed where entry.quality != .measured {
            let hour = Timestamp.format(entry.hour)
            let location = gridTimeline.factor(at: entry.hour)
            qualified.append(QualifiedHour(hour: hour, kwh: entry.amount, quality: entry.quality, factor: reference(location)))
            guard entry.quality == .filled else { continue }
            filledKWh += entry.amount
            filled[entry.hour] = entry.amount
            for (scope, factor) in [("scope2_location", location), ("residual", residualTimeline.factor(at: entry.hour) ?? location)] {
                terms.append(
                    Term(
                        scope: scope, source: "gap-fill", id: hour, revision: 0, kind: ActivityKind.facilityElectricity.rawValue,
                        amount: entry.amount, unit: "kWh", factor: reference(factor)))
            }
        }
        for (hour, amount) in profiledHourly.sorted(by: { $0.key < $1.key }) where amount != 0 {
            qualified.append(
                QualifiedHour(
                    hour: Timestamp.format(hour), kwh: Double(amount) / 1_000_000, quality: .profiled,
                    factor: reference(gridTimeline.factor(at: hour))))
        }
        // The hourly method's inputs, from the same sums the calculator keeps.
        var gridByHour: [Int64: Double] = filled
        for (hour, amount) in gridHourly { gridByHour[hour, default: 0] += Double(amount) / 1_000_000 }
        for (hour, amount) in profiledHourly { gridByHour[hour, default: 0] += Double(amount) / 1_000_000 }
        let hourSet = Set(gridByHour.keys).union(matchedCertificates.keys)
        let hours = hourSet.sorted().compactMap { hour -> MatchedHour? in
            let grid = gridByHour[hour] ?? 0
            let certificates = Double(matchedCertificates[hour] ?? 0) / 1_000_000
            guard grid != 0 || certificates != 0 else { return nil }
            return MatchedHour(
                hour: Timestamp.format(hour), gridKWh: grid, certificatesKWh: certificates,
                residual: reference(residualTimeline.factor(at: hour) ?? gridTimeline.factor(at: hour)))
        }
        return SiteLineage(
            site: site.site, region: site.region, grid: site.grid, month: month, formula: formulas,
            gridKWh: Double(gridMicro) / 1_000_000 + filledKWh, certificatesKWh: Double(certificatesMicro) / 1_000_000, terms: terms,
            dataQuality: qualified, hours: hours)
    }
}

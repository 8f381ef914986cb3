/// The data-centre indicators of one site over one period (a month, a quarter, a year), as
/// ISO/IEC 30134 defines them and the EU's data-centre reporting asks for them
/// (docs/model.md §21): PUE, REF, ERF, WUE, CER and CUE, each with the data behind it.
///
/// An indicator is a ratio of sums over the months of the period in which every input it
/// needs was measured; it says so when that is fewer than the months with data, and says
/// "not measured" (no value) when there is none — never 0 for something nobody measured.
public struct SiteIndicators: Codable, Sendable, Hashable {
    /// One indicator: its value over the months that could give it, and why not otherwise.
    public struct Indicator: Codable, Sendable, Hashable {
        /// nil when no month of the period had the inputs (see `status` and `reason`).
        public var value: Double?
        public var unit: String
        /// `measured` (every month with data gave it), `partial` (some did: `value` is over
        /// `months`), `not_measured` (none did).
        public var status: Status
        /// The months whose sums `value` is the ratio of.
        public var months: [String]
        /// What was missing, in words, when `status` is not `measured`.
        public var reason: String?

        public enum Status: String, Codable, Sendable, Hashable {
            case measured
            case partial
            case notMeasured = "not_measured"
        }
    }

    /// A month in which something unusual was kept as it was, with the explanation.
    public struct Flag: Codable, Sendable, Hashable {
        public var month: String
        public var code: String
        public var explanation: String
    }

    /// The sums over the period of the quantities the indicators rest on; a quantity measured
    /// in no month of the period is nil.
    public struct Inputs: Codable, Sendable, Hashable {
        public var facilityKWh: Double
        public var itKWh: Double?
        public var renewableKWh: Double
        public var onsiteRenewableKWh: Double
        public var certificatesKWh: Double
        public var heatReuseKWh: Double?
        public var coolingKWh: Double?
        public var waterWithdrawalL: Double?
        public var potableWaterL: Double?
        public var waterDischargeL: Double?
        public var waterConsumedL: Double?
        /// Scope 1 + scope 2 location-based, kg CO2e.
        public var emissionsLocationKg: Double
        /// Scope 1 + scope 2 market-based (monthly matching), kg CO2e.
        public var emissionsMarketKg: Double

        private enum CodingKeys: String, CodingKey {
            case facilityKWh = "facility_kwh"
            case itKWh = "it_kwh"
            case renewableKWh = "renewable_kwh"
            case onsiteRenewableKWh = "onsite_renewable_kwh"
            case certificatesKWh = "certificates_kwh"
            case heatReuseKWh = "heat_reuse_kwh"
            case coolingKWh = "cooling_kwh"
            case waterWithdrawalL = "water_withdrawal_l"
            case potableWaterL = "potable_water_l"
            case waterDischargeL = "water_discharge_l"
            case waterConsumedL = "water_consumed_l"
            case emissionsLocationKg = "emissions_location_kgco2e"
            case emissionsMarketKg = "emissions_market_kgco2e"
        }
    }

    /// One month's data: what was measured and the site's figures.
    public struct Month: Sendable, Hashable {
        public var month: CalendarMonth
        public var measures: FacilityMeasures
        public var figures: EmissionFigures

        public init(month: CalendarMonth, measures: FacilityMeasures, figures: EmissionFigures) {
            self.month = month
            self.measures = measures
            self.figures = figures
        }
    }

    /// The months of the period that have data, and those that have none (a gap).
    public var months: [String]
    public var missingMonths: [String]
    public var inputs: Inputs
    public var pue: Indicator
    public var ref: Indicator
    public var erf: Indicator
    public var wue: Indicator
    public var cer: Indicator
    public var cueLocation: Indicator
    public var cueMarket: Indicator
    public var flags: [Flag]

    private enum CodingKeys: String, CodingKey {
        case months
        case missingMonths = "missing_months"
        case inputs, pue, ref, erf, wue, cer
        case cueLocation = "cue_location"
        case cueMarket = "cue_market"
        case flags
    }

    /// The indicators over `period` (its months, in order) from the months of `data` within it.
    public static func compute(period: [CalendarMonth], data: [Month]) -> SiteIndicators {
        let inPeriod = Set(period)
        let months = data.filter { inPeriod.contains($0.month) }.sorted { $0.month < $1.month }
        let present = Set(months.map(\.month))
        let missing = period.filter { !present.contains($0) }.map(\.description)

        func sum(_ values: [Double?]) -> Double? {
            let known = values.compactMap { $0 }
            return known.isEmpty ? nil : known.reduce(0, +)
        }
        let inputs = Inputs(
            facilityKWh: months.reduce(0) { $0 + $1.measures.facilityKWh },
            itKWh: sum(months.map(\.measures.itKWh)),
            renewableKWh: months.reduce(0) { $0 + $1.measures.renewableKWh },
            onsiteRenewableKWh: months.reduce(0) { $0 + $1.measures.onsiteRenewableKWh },
            certificatesKWh: months.reduce(0) { $0 + $1.measures.certificatesKWh },
            heatReuseKWh: sum(months.map(\.measures.heatReuseKWh)),
            coolingKWh: sum(months.map(\.measures.coolingKWh)),
            waterWithdrawalL: sum(months.map(\.measures.withdrawalL)),
            potableWaterL: sum(months.map { $0.measures.waterWithdrawalL["potable"] }),
            waterDischargeL: sum(months.map(\.measures.dischargeL)),
            waterConsumedL: sum(months.map(\.measures.consumedL)),
            emissionsLocationKg: months.reduce(0) { $0 + $1.figures.scope1 + $1.figures.scope2Location },
            emissionsMarketKg: months.reduce(0) { $0 + $1.figures.scope1 + $1.figures.scope2Market })

        /// Σ numerator / Σ denominator over the months where both are known and the
        /// denominator's sum is positive.
        func ratio(
            unit: String, missingWhat: String, _ numerator: (Month) -> Double?, _ denominator: (Month) -> Double?
        ) -> Indicator {
            var top = 0.0, bottom = 0.0
            var used: [String] = []
            for month in months {
                guard let n = numerator(month), let d = denominator(month) else { continue }
                top += n
                bottom += d
                used.append(month.month.description)
            }
            if months.isEmpty {
                return Indicator(value: nil, unit: unit, status: .notMeasured, months: [], reason: "no data for the site in the period")
            }
            guard !used.isEmpty else {
                return Indicator(value: nil, unit: unit, status: .notMeasured, months: [], reason: "\(missingWhat) not measured in the period")
            }
            guard bottom > 0 else {
                return Indicator(value: nil, unit: unit, status: .notMeasured, months: used, reason: "the denominator is 0 over the months measured")
            }
            let partial = used.count < months.count
            let lacking = months.map(\.month.description).filter { !used.contains($0) }
            return Indicator(
                value: top / bottom, unit: unit, status: partial ? .partial : .measured, months: used,
                reason: partial ? "\(missingWhat) not measured in \(lacking.joined(separator: ", "))" : nil)
        }
        let it: (Month) -> Double? = { $0.measures.itKWh }
        let facility: (Month) -> Double? = { $0.measures.facilityKWh }

        var flags: [Flag] = []
        for month in months {
            guard let withdrawn = month.measures.withdrawalL, let discharged = month.measures.dischargeL, discharged > withdrawn else { continue }
            flags.append(
                Flag(
                    month: month.month.description, code: "discharge_exceeds_withdrawal",
                    explanation: "the site discharged \(discharged - withdrawn) L more than it withdrew (water stored earlier and released, or meters read on different days); the water consumed is negative this month and is kept as measured, not clipped to 0"))
        }

        return SiteIndicators(
            months: months.map(\.month.description), missingMonths: missing, inputs: inputs,
            pue: ratio(unit: "", missingWhat: "IT energy", facility, it),
            ref: ratio(unit: "", missingWhat: "facility energy", { $0.measures.renewableKWh }, facility),
            erf: ratio(unit: "", missingWhat: "reused energy", { $0.measures.heatReuseKWh }, facility),
            wue: ratio(unit: "L/kWh", missingWhat: "water or IT energy", { $0.measures.consumedL }, it),
            cer: ratio(unit: "", missingWhat: "cooling energy or IT energy", it, { $0.measures.coolingKWh }),
            cueLocation: ratio(unit: "kgCO2e/kWh", missingWhat: "IT energy", { $0.figures.scope1 + $0.figures.scope2Location }, it),
            cueMarket: ratio(unit: "kgCO2e/kWh", missingWhat: "IT energy", { $0.figures.scope1 + $0.figures.scope2Market }, it),
            flags: flags)
    }
}

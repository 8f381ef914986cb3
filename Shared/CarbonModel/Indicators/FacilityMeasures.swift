/// What was measured at one site in one month that its data-centre indicators rest on
/// (docs/model.md §21): energy in, IT energy, renewables, reused heat, cooling and water, with
/// the site's declared attributes (IT power, floor area, tier) as they stood.
/// A quantity that was not measured is nil (or an empty map), never 0, so an indicator that
/// needs it can say "not measured" instead of showing a number.
public struct FacilityMeasures: Codable, Sendable, Hashable {
    /// Grid electricity + on-site renewable, kWh: the site's total energy.
    public var facilityKWh: Double
    /// Grid electricity, kWh.
    public var gridKWh: Double
    /// On-site renewable electricity consumed, kWh.
    public var onsiteRenewableKWh: Double
    /// Certificates applied to the site this month (the monthly method's), kWh.
    public var certificatesKWh: Double
    /// The facility IT meter (`facility.it_electricity`), else the products' IT energy; nil
    /// when neither was sent.
    public var itKWh: Double?
    /// Where `itKWh` comes from: `facility` (the IT meter) or `products`.
    public var itSource: String?
    /// Energy exported for reuse, kWh; nil: not measured.
    public var heatReuseKWh: Double?
    /// Energy the cooling consumed, kWh; nil: not metered apart.
    public var coolingKWh: Double?
    /// Water withdrawn, L, by source ("" when unnamed); empty: not measured.
    public var waterWithdrawalL: [String: Double]
    /// Water discharged, L, by destination ("" when unnamed); empty: not measured.
    public var waterDischargeL: [String: Double]
    /// The site's declared attributes; nil when not declared.
    public var itPowerKW: Double?
    public var floorAreaM2: Double?
    public var tier: String?

    public init(
        facilityKWh: Double = 0, gridKWh: Double = 0, onsiteRenewableKWh: Double = 0, certificatesKWh: Double = 0,
        itKWh: Double? = nil, itSource: String? = nil, heatReuseKWh: Double? = nil, coolingKWh: Double? = nil,
        waterWithdrawalL: [String: Double] = [:], waterDischargeL: [String: Double] = [:]
    ) {
        self.facilityKWh = facilityKWh
        self.gridKWh = gridKWh
        self.onsiteRenewableKWh = onsiteRenewableKWh
        self.certificatesKWh = certificatesKWh
        self.itKWh = itKWh
        self.itSource = itSource
        self.heatReuseKWh = heatReuseKWh
        self.coolingKWh = coolingKWh
        self.waterWithdrawalL = waterWithdrawalL
        self.waterDischargeL = waterDischargeL
    }

    /// The same measures with the site's declared attributes.
    public func declaring(_ site: SiteDeclaration) -> FacilityMeasures {
        var copy = self
        copy.itPowerKW = site.itPowerKW
        copy.floorAreaM2 = site.floorAreaM2
        copy.tier = site.tier
        return copy
    }

    /// Renewable energy for REF, kWh: on-site renewables plus certificates, the certificates
    /// counted up to the grid electricity they cover (a certificate cannot make more energy
    /// renewable than was bought).
    public var renewableKWh: Double { onsiteRenewableKWh + min(max(0, certificatesKWh), gridKWh) }

    /// Total water withdrawn, L; nil when not measured.
    public var withdrawalL: Double? { waterWithdrawalL.isEmpty ? nil : waterWithdrawalL.keys.sorted().reduce(0) { $0 + (waterWithdrawalL[$1] ?? 0) } }
    /// Total water discharged, L; nil when not measured.
    public var dischargeL: Double? { waterDischargeL.isEmpty ? nil : waterDischargeL.keys.sorted().reduce(0) { $0 + (waterDischargeL[$1] ?? 0) } }

    /// Water consumed, L: withdrawal − discharge (a discharge not measured counts as none
    /// returned); nil when no withdrawal was measured. Negative when more was discharged than
    /// withdrawn in the month — kept as it is (docs/model.md §21).
    public var consumedL: Double? { withdrawalL.map { $0 - (dischargeL ?? 0) } }

    private enum CodingKeys: String, CodingKey {
        case facilityKWh = "facility_kwh"
        case gridKWh = "grid_kwh"
        case onsiteRenewableKWh = "onsite_renewable_kwh"
        case certificatesKWh = "certificates_kwh"
        case itKWh = "it_kwh"
        case itSource = "it_source"
        case heatReuseKWh = "heat_reuse_kwh"
        case coolingKWh = "cooling_kwh"
        case waterWithdrawalL = "water_withdrawal_l"
        case waterDischargeL = "water_discharge_l"
        case itPowerKW = "it_power_kw"
        case floorAreaM2 = "floor_area_m2"
        case tier
    }
}

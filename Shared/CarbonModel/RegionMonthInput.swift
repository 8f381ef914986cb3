/// An activity amount in one UTC hour — the grain at which factors are applied, so a factor
/// that changes mid-month is honoured hour by hour.
public struct HourlyAmount: Sendable, Hashable {
    /// Epoch seconds of the start of the UTC hour.
    public var hour: Int64
    public var amount: Double

    public init(hour: Int64, amount: Double) {
        self.hour = hour
        self.amount = amount
    }
}

/// Everything measured at one site in one calendar month that the accounting engine needs:
/// layer-1 activity (electricity, fuels, refrigerants, embodied) and the layer-2 keys
/// (IT energy and capacity per product).
///
/// Amounts are already normalized to canonical units (kWh, L, kg, kg CO2e, product unit) and
/// restricted to the month by the caller; the engine does not filter by time.
public struct SiteMonthInput: Sendable {
    public var site: SiteDeclaration
    /// Purchased grid electricity per hour, kWh (after gap filling: filled hours included).
    public var gridElectricityKWh: [HourlyAmount]
    /// The quality of the hours of `gridElectricityKWh` that are not plain meter readings
    /// (filled by interpolation or flagged as outliers); an hour not here is `measured`.
    public var gridQuality: [Int64: DataQuality]
    /// The part of each hour's grid electricity (in `gridElectricityKWh`) that a load profile
    /// spread from a longer record, kWh; an hour not here was read from the meter.
    public var gridProfiledKWh: [Int64: Double] = [:]
    /// On-site renewable electricity consumed, kWh: energy with zero emissions.
    public var onsiteRenewableKWh: Double
    /// The same per hour, for hourly results; when empty, `onsiteRenewableKWh` is spread evenly.
    public var onsiteRenewableHourly: [HourlyAmount]
    /// Facility-level IT load (`facility.it_electricity`), kWh, used for PUE; 0 if not metered.
    public var facilityITKWh: Double
    /// Renewable certificates / PPA volume matched to this month, kWh: the monthly method's
    /// certificates (those of the site's grid, and of other grids unless the market boundary
    /// is applied monthly too).
    public var certificatesKWh: Double
    /// Certificates of the site's grid (or naming no grid) per hour, kWh: the hourly method's.
    public var certificatesHourly: [HourlyAmount]
    /// Certificates produced in another grid than the site's, kWh: never applied hour by hour.
    public var outOfBoundaryCertificatesKWh: Double
    /// Fuel name -> litres burned per hour.
    public var fuels: [String: [HourlyAmount]]
    /// Gas name -> kg leaked per hour.
    public var refrigerants: [String: [HourlyAmount]]
    /// Product -> IT kWh of its server pools this month; the layer-2 weights.
    public var productITKWh: [String: Double]
    /// Product -> sellable capacity this month, in the product's unit.
    public var productCapacity: [String: Double]
    /// Product -> embodied kg CO2e amortized into this month for hardware registered to it.
    public var embodiedByProduct: [String: Double]
    /// Embodied kg CO2e amortized into this month for hardware registered to no product.
    public var embodiedUnassigned: Double
    /// Water taken in this month, L, by `water_source` ("" when unnamed); empty: not measured.
    public var waterWithdrawalL: [String: Double] = [:]
    /// Water given back this month, L, by `water_source`; empty: not measured.
    public var waterDischargeL: [String: Double] = [:]
    /// Energy exported for reuse this month, kWh; nil: not measured.
    public var heatReuseKWh: Double? = nil
    /// Energy the cooling consumed this month, kWh; nil: not metered apart.
    public var coolingKWh: Double? = nil

    public init(
        site: SiteDeclaration,
        gridElectricityKWh: [HourlyAmount] = [],
        onsiteRenewableKWh: Double = 0,
        onsiteRenewableHourly: [HourlyAmount] = [],
        facilityITKWh: Double = 0,
        certificatesKWh: Double = 0,
        certificatesHourly: [HourlyAmount] = [],
        outOfBoundaryCertificatesKWh: Double = 0,
        fuels: [String: [HourlyAmount]] = [:],
        refrigerants: [String: [HourlyAmount]] = [:],
        productITKWh: [String: Double] = [:],
        productCapacity: [String: Double] = [:],
        embodiedByProduct: [String: Double] = [:],
        embodiedUnassigned: Double = 0,
        gridQuality: [Int64: DataQuality] = [:]
    ) {
        self.site = site
        self.gridElectricityKWh = gridElectricityKWh
        self.gridQuality = gridQuality
        self.onsiteRenewableKWh = onsiteRenewableKWh
        self.onsiteRenewableHourly = onsiteRenewableHourly
        self.facilityITKWh = facilityITKWh
        self.certificatesKWh = certificatesKWh
        self.certificatesHourly = certificatesHourly
        self.outOfBoundaryCertificatesKWh = outOfBoundaryCertificatesKWh
        self.fuels = fuels
        self.refrigerants = refrigerants
        self.productITKWh = productITKWh
        self.productCapacity = productCapacity
        self.embodiedByProduct = embodiedByProduct
        self.embodiedUnassigned = embodiedUnassigned
    }
}

/// One unit of accounting work: a region in a calendar month, with all its sites, the
/// product declarations, tenant usage and the factor library. Layer 3 allocates per
/// (product, region, month), so this is the smallest input that can be computed on its own.
///
/// The caller passes only sites that belong to `region`.
public struct RegionMonthInput: Sendable {
    public var region: String
    public var month: CalendarMonth
    public var sites: [SiteMonthInput]
    /// Product -> declaration; an undeclared product is allocated on the usage basis.
    public var products: [String: ProductDeclaration]
    /// Product -> tenant -> usage this month, in the product's unit.
    public var usage: [String: [String: Double]]
    /// Usage with resource details, kept apart from `usage`: estimated when its product has no
    /// facility data in the region-month, else added to `usage`.
    public var estimable: [EstimableUsage]
    public var factors: FactorResolver
    /// Product -> Σ over every tenant of its plain usage (not `estimable`) this month, from the
    /// exact integer sums. When set, it is U's plain part whatever `usage` holds, and `usage`
    /// may hold only the tenants whose cells are wanted: a recalculation then costs the cells
    /// that changed, not every tenant. Nil: U is summed from `usage`.
    public var usageTotals: [String: Double]? = nil

    public init(
        region: String,
        month: CalendarMonth,
        sites: [SiteMonthInput] = [],
        products: [String: ProductDeclaration] = [:],
        usage: [String: [String: Double]] = [:],
        estimable: [EstimableUsage] = [],
        factors: FactorResolver
    ) {
        self.region = region
        self.month = month
        self.sites = sites
        self.products = products
        self.usage = usage
        self.estimable = estimable
        self.factors = factors
    }
}

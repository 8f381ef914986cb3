/// The kind of an activity record (docs/model.md §3): what was measured, which extra fields the record
/// carries, and which unit dimension its value must have.
public enum ActivityKind: String, Codable, Sendable, CaseIterable {
    /// Purchased grid electricity of a site.
    case facilityElectricity = "facility.electricity"
    /// On-site renewable electricity consumed on site (energy with zero emissions).
    case facilityOnsiteRenewable = "facility.onsite_renewable"
    /// The IT load of a site, for PUE.
    case facilityITElectricity = "facility.it_electricity"
    /// Fuel burned at a site (`fuel` names it).
    case facilityFuel = "facility.fuel"
    /// Refrigerant leaked at a site (`gas` names it).
    case facilityRefrigerant = "facility.refrigerant"
    /// Renewable certificates / PPA volume matched to a site.
    case facilityCertificate = "facility.certificate"
    /// IT energy of one product's server pools at a site.
    case productITElectricity = "product.it_electricity"
    /// Sellable capacity of a product at a site, in the product's allocation unit.
    case productCapacity = "product.capacity"
    /// Embodied emissions of hardware entering service at `start`, spread over its life.
    case hardwareEmbodied = "hardware.embodied"
    /// A tenant's use of a product, in the product's allocation unit.
    case usage
    /// Water a site took in (`water_source` may say from where: potable, grey, rain, sea, …).
    case facilityWaterWithdrawal = "facility.water_withdrawal"
    /// Water a site gave back (`water_source` may say where to).
    case facilityWaterDischarge = "facility.water_discharge"
    /// Energy a site exported for reuse (waste heat to a district network, …).
    case facilityHeatReuse = "facility.heat_reuse"
    /// Energy the site's cooling consumed, where it is metered apart.
    case facilityCoolingEnergy = "facility.cooling_energy"

    /// The dimension the record's unit must have, or nil when it is the dimension of the
    /// named product's allocation unit (`product.capacity`, `usage`).
    public var dimension: Dimension? {
        switch self {
        case .facilityElectricity, .facilityOnsiteRenewable, .facilityITElectricity, .facilityCertificate,
            .productITElectricity, .facilityHeatReuse, .facilityCoolingEnergy:
            .energy
        case .facilityFuel, .facilityWaterWithdrawal, .facilityWaterDischarge: .volume
        case .facilityRefrigerant: .mass
        case .hardwareEmbodied: .emissions
        case .productCapacity, .usage: nil
        }
    }

    /// True when the value is measured in the product's allocation unit.
    public var usesProductUnit: Bool { dimension == nil }

    /// How finely the record is spread over time. Embodied emissions are spread over years of
    /// service life, so hourly buckets would only multiply rows without adding information.
    public var bucketGranularity: BucketGranularity {
        self == .hardwareEmbodied ? .month : .hour
    }

    /// The record must name a declared site (usage names a site or a region instead).
    public var requiresSite: Bool { self != .usage }

    /// The record must name a declared product.
    public var requiresProduct: Bool {
        switch self {
        case .productITElectricity, .productCapacity, .usage: true
        default: false
        }
    }

    /// The record may name a product; for other kinds a `product` field is ignored.
    public var acceptsProduct: Bool { requiresProduct || self == .hardwareEmbodied }

    /// The kinds that feed only the site's data-centre indicators and water (docs/model.md §21):
    /// no emission figure depends on them.
    public var isFacilityMeasure: Bool {
        switch self {
        case .facilityWaterWithdrawal, .facilityWaterDischarge, .facilityHeatReuse, .facilityCoolingEnergy: true
        default: false
        }
    }

    /// The values `water_source` may take on a water record: where the water came from or went
    /// to (the delegated regulation asks for the potable share of a site's water).
    public static let waterSources = ["potable", "grey", "rain", "sea", "ground", "surface", "recycled", "other"]

    /// The field naming the substance (`fuel` or `gas`), for the kinds that have one.
    public var substanceField: String? {
        switch self {
        case .facilityFuel: "fuel"
        case .facilityRefrigerant: "gas"
        default: nil
        }
    }
}

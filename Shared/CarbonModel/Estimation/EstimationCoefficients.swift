/// The shipped CCF coefficients that estimate one ``EstimationProfile`` in one provider region:
/// the W per vCPU (of the processor family, else the provider average), the utilization, the
/// per-unit energy of memory, storage or network, the PUE (regional, else the provider average)
/// and the replication. Looked up once; ``kWh(_:)`` applies the ``EstimationEngine`` formula, so
/// the engine and the lineage of an estimated cell use the same numbers and the same arithmetic.
public struct EstimationCoefficients: Sendable, Hashable {
    public var profile: EstimationProfile
    /// The provider region whose PUE applies.
    public var region: String
    /// W per vCPU at idle and at full load (compute; the provider average when no processor is known).
    public var watts: CCFWattRange
    /// True when `watts` are the profile's processor family's, false for the provider average.
    public var processorWatts: Bool
    /// CPU utilization 0…1 (compute): the profile's, else CCF's default.
    public var utilization: Double
    /// kWh per GB-h (memory), Wh per TB-h (ssd, hdd), kWh per GB (network); 0 for compute.
    public var perUnit: Double
    public var pue: Double
    /// True when `pue` is the provider's published value for `region`, false for its average.
    public var regionalPUE: Bool
    public var replication: Double

    public init(profile: EstimationProfile, region: String) {
        let constants = CCFCoefficients.constants(for: profile.provider)
        let processor = profile.processor.flatMap { CCFCoefficients.watts(provider: profile.provider, processor: $0) }
        self.profile = profile
        self.region = region
        watts = processor ?? CCFWattRange(min: constants.minWatts, max: constants.maxWatts)
        processorWatts = processor != nil
        utilization = profile.utilization ?? EstimationProfile.defaultUtilization
        switch profile.resource {
        case .compute: perUnit = 0
        case .memory: perUnit = constants.memoryKWhPerGBh
        case .ssd: perUnit = constants.ssdWhPerTBh
        case .hdd: perUnit = constants.hddWhPerTBh
        case .network: perUnit = constants.networkKWhPerGB
        }
        pue = CCFCoefficients.pue(provider: profile.provider, region: region)
        regionalPUE = CCFTables.regionPUE[profile.provider]?[region] != nil
        replication = profile.replication
    }

    /// Facility kWh of `quantity` (in `profile.resource.quantityUnit`), by the CCF formula.
    public func kWh(_ quantity: Double) -> Double {
        switch profile.resource {
        case .compute:
            EstimationEngine.computeKWh(
                vCPUHours: quantity, minWatts: watts.min, maxWatts: watts.max, utilization: utilization, pue: pue, replication: replication)
        case .memory:
            EstimationEngine.memoryKWh(gigabyteHours: quantity, kWhPerGBh: perUnit, pue: pue, replication: replication)
        case .ssd, .hdd:
            EstimationEngine.storageKWh(terabyteHours: quantity, whPerTBh: perUnit, pue: pue, replication: replication)
        case .network:
            EstimationEngine.networkKWh(gigabytes: quantity, kWhPerGB: perUnit, pue: pue)
        }
    }

    /// The factor from a usage value in the product's allocation unit to the unit the formula
    /// takes (`profile.resource.quantityUnit`), e.g. 0.001 from GB-h to TB-h; 1 when either unit
    /// is unknown to the catalog (the validator accepts only matching dimensions).
    public static func quantityScale(productUnit: String?, resource: EstimatedResource) -> Double {
        let product = productUnit.flatMap { UnitCatalog.definition(of: $0) }
        let quantity = UnitCatalog.definition(of: resource.quantityUnit)
        return (product?.toCanonical ?? 1) / (quantity?.toCanonical ?? 1)
    }
}

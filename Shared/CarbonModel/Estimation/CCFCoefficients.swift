/// Look-ups into the shipped Cloud Carbon Footprint tables (``CCFTables``, generated from
/// `refdata/ccf/`): what estimation mode needs per provider, processor and region.
public enum CCFCoefficients {
    /// Where the shipped CCF numbers come from, for factor records and lineage.
    public static let source =
        "Cloud Carbon Footprint constants, github.com/cloud-carbon-footprint/cloud-carbon-footprint @ b7a049c7 (Apache-2.0)"
    /// The version given to the shipped CCF grid factors.
    public static let version = "ccf-b7a049c7"

    public static func constants(for provider: CloudProvider) -> CCFProviderConstants {
        // Every provider has a row: the generator writes one per CloudProvider case.
        CCFTables.providers[provider]
            ?? CCFProviderConstants(
                minWatts: 0, maxWatts: 0, memoryKWhPerGBh: 0, ssdWhPerTBh: 0, hddWhPerTBh: 0, networkKWhPerGB: 0,
                averagePUE: 1, serverLifespanHours: 35040)
    }

    /// W per vCPU of a processor family (names as in CCF, e.g. `CASCADE_LAKE`), or nil when the
    /// provider's table does not list it.
    public static func watts(provider: CloudProvider, processor: String) -> CCFWattRange? {
        CCFTables.processorWatts[provider]?[processor]
    }

    /// The processor families known for a provider, sorted (for error messages).
    public static func processors(of provider: CloudProvider) -> [String] {
        (CCFTables.processorWatts[provider] ?? [:]).keys.sorted()
    }

    /// The PUE of a provider region: the published regional value, else the provider average.
    public static func pue(provider: CloudProvider, region: String) -> Double {
        CCFTables.regionPUE[provider]?[region] ?? constants(for: provider).averagePUE
    }

    /// The factor-library region under which a provider region's grid factor is filed, e.g.
    /// `aws/us-east-1`. Provider regions are not CarbonMeter regions (which exist through
    /// declared sites), so they get a namespace of their own.
    public static func gridRegion(provider: CloudProvider, region: String) -> String {
        "\(provider.rawValue)/\(region)"
    }

    /// The CCF grid factors as factor-library entries (kg CO2e per kWh, valid 2000–2100, since
    /// CCF does not date them), one per provider region, with ids `ccf.grid.<provider>.<region>`.
    public static func gridFactors() -> [EmissionFactor] {
        var factors: [EmissionFactor] = []
        for provider in CloudProvider.allCases {
            for (region, tonnes) in (CCFTables.gridTCO2ePerKWh[provider] ?? [:]).sorted(by: { $0.key < $1.key }) {
                factors.append(
                    EmissionFactor(
                        factor: "ccf.grid.\(provider.rawValue).\(region)", activity: "electricity",
                        region: gridRegion(provider: provider, region: region), unit: "tCO2e/kWh", value: tonnes * 1000,
                        validFrom: Timestamp.earliest, validTo: Timestamp.latest, source: source, version: version,
                        origin: .providerDefault))
            }
        }
        return factors
    }
}

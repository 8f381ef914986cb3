/// The emission factors shipped with CarbonMeter (docs/model.md §19), loaded by the
/// calculator at start as provider defaults (`origin: default`). A factor a user declares for
/// the same activity and region always beats a default (``FactorResolver`` rule 3).
///
/// What ships, each with source, version and validity:
/// - China (MEE/NBS): the national average grid factor (`electricity`, region `CN`) and the
///   national average excluding market-traded non-fossil power as the residual mix
///   (`residual_electricity`, region `CN`), 2021–2023, each valid for its data year; the seven
///   regional grid averages (`CN-North`, `CN-Northeast`, `CN-East`, `CN-Central`,
///   `CN-Northwest`, `CN-South`, `CN-Southwest`), 2021–2023. No regional residual mix is
///   published, so regional sites fall back to their grid factor for market-based scope 2.
///   Years after 2023 have no default: they report a missing factor until one is declared.
/// - IPCC GWP-100 of common refrigerants and gases (one set, AR5 or AR6), kg CO2e/kg.
/// - Diesel, kg CO2/L (US EPA).
/// - The CCF grid factors of public-cloud regions (`aws/us-east-1`, …) for estimation mode.
public enum DefaultFactorLibrary {
    public static func factors(gwpSet: GWPSet = .ar6) -> [EmissionFactor] {
        chinaGrid() + gwp(gwpSet) + [diesel] + CCFCoefficients.gridFactors()
    }

    /// The first instant of `year`, UTC.
    private static func yearStart(_ year: Int) -> Int64 { CalendarMonth.daysFromCivil(year, 1, 1) * 86_400 }

    static func chinaGrid() -> [EmissionFactor] {
        var factors: [EmissionFactor] = []
        for entry in DefaultFactorTables.chinaNational {
            let from = yearStart(entry.year), to = yearStart(entry.year + 1)
            let source = "\(entry.announcement); refdata china_grid/mee_nbs_electricity_co2_factors_national.csv (\(entry.verification))"
            factors.append(
                EmissionFactor(
                    factor: "cn.mee.grid.CN.\(entry.year)", activity: "electricity", region: "CN", unit: "kgCO2e/kWh",
                    value: entry.average, validFrom: from, validTo: to, source: "MEE/NBS national average: " + source,
                    version: "mee-nbs-\(entry.year)", origin: .providerDefault))
            factors.append(
                EmissionFactor(
                    factor: "cn.mee.residual.CN.\(entry.year)", activity: "residual_electricity", region: "CN", unit: "kgCO2e/kWh",
                    value: entry.residual, validFrom: from, validTo: to,
                    source: "MEE/NBS national average excluding market-traded non-fossil power: " + source,
                    version: "mee-nbs-\(entry.year)", origin: .providerDefault))
        }
        for entry in DefaultFactorTables.chinaRegional {
            for (year, value) in [(2021, entry.y2021), (2022, entry.y2022), (2023, entry.y2023)] {
                factors.append(
                    EmissionFactor(
                        factor: "cn.mee.grid.\(entry.grid).\(year)", activity: "electricity", region: entry.grid, unit: "kgCO2e/kWh",
                        value: value, validFrom: yearStart(year), validTo: yearStart(year + 1),
                        source: "MEE/NBS \(year) regional grid average, \(entry.name); refdata china_grid/mee_nbs_electricity_co2_factors_regional.csv"
                            + (year == 2023 ? " (press reprint)" : " (third-party transcription; 2022 cross-checked with press)"),
                        version: "mee-nbs-\(year)", origin: .providerDefault))
            }
        }
        return factors
    }

    static func gwp(_ set: GWPSet) -> [EmissionFactor] {
        DefaultFactorTables.gwp100.compactMap { entry in
            guard let value = set == .ar5 ? entry.ar5 : entry.ar6 else { return nil }
            return EmissionFactor(
                factor: "ipcc.gwp100.\(set.rawValue).\(entry.gas)", activity: entry.gas, region: nil, unit: "kgCO2e/kg", value: value,
                validFrom: Timestamp.earliest, validTo: Timestamp.latest,
                source: "IPCC \(set.rawValue) GWP-100; refdata gwp/gwp100_selected.csv (\(entry.note))", version: set.rawValue,
                origin: .providerDefault)
        }
    }

    /// US EPA GHG Emission Factors Hub, distillate fuel oil No. 2: 10.21 kg CO2 per US gallon
    /// (3.785411784 L) = 2.6972 kg CO2/L; CO2 only (CH4 and N2O add about 0.1 %).
    static let diesel = EmissionFactor(
        factor: "epa.diesel", activity: "diesel", region: nil, unit: "kgCO2e/L", value: 10.21 / 3.785411784,
        validFrom: Timestamp.earliest, validTo: Timestamp.latest,
        source: "US EPA GHG Emission Factors Hub, distillate fuel oil No. 2: 10.21 kg CO2/gal; refdata fuels/diesel_emission_factors.csv "
            + "(recorded from memory there; a third-party tool shows 2.696 kg/L)",
        version: "epa-hub", origin: .providerDefault)
}

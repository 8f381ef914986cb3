import Testing

@testable import CarbonModel

/// The unit catalog (docs/model.md §2): every symbol, its dimension and its exact
/// factor to the canonical unit.
struct UnitTests {
    /// (symbol, dimension, value of one unit in the canonical unit)
    private static let table: [(String, CarbonModel.Dimension, Double)] = [
        ("kWh", .energy, 1), ("Wh", .energy, 0.001), ("MWh", .energy, 1000), ("GWh", .energy, 1_000_000),
        ("MJ", .energy, 1 / 3.6), ("GJ", .energy, 1000 / 3.6),
        ("L", .volume, 1), ("m3", .volume, 1000), ("m³", .volume, 1000),
        ("kg", .mass, 1), ("g", .mass, 0.001), ("t", .mass, 1000),
        ("kgCO2e", .emissions, 1), ("gCO2e", .emissions, 0.001), ("tCO2e", .emissions, 1000),
        ("vCPU-h", .computeTime, 1), ("vCPU-min", .computeTime, 1 / 60), ("vCPU-s", .computeTime, 1 / 3600),
        ("GB-h", .dataTime, 1), ("GiB-h", .dataTime, 1.073741824), ("TB-h", .dataTime, 1000),
        ("TiB-h", .dataTime, 1099.511627776), ("GB-s", .dataTime, 1 / 3600),
        ("GB", .data, 1), ("MB", .data, 0.001), ("GiB", .data, 1.073741824), ("TB", .data, 1000),
        ("TiB", .data, 1099.511627776),
        ("h", .time, 1), ("s", .time, 1 / 3600), ("min", .time, 1 / 60),
    ]

    @Test func everyUnitHasItsDimensionAndExactFactor() throws {
        for (symbol, dimension, factor) in Self.table {
            let unit = try #require(UnitCatalog.definition(of: symbol), "\(symbol) is missing")
            #expect(unit.symbol == symbol)
            #expect(unit.dimension == dimension, "\(symbol)")
            #expect(unit.toCanonical == factor, "\(symbol)")
        }
        #expect(UnitCatalog.all.count == Self.table.count)
    }

    @Test func canonicalUnitsConvertWithFactorOne() {
        let expected: [CarbonModel.Dimension: String] = [
            .energy: "kWh", .volume: "L", .mass: "kg", .emissions: "kgCO2e", .computeTime: "vCPU-h",
            .dataTime: "GB-h", .data: "GB", .time: "h",
        ]
        for dimension in CarbonModel.Dimension.allCases {
            let symbol = UnitCatalog.canonicalSymbol(for: dimension)
            #expect(symbol == expected[dimension])
            #expect(UnitCatalog.definition(of: symbol)?.toCanonical == 1)
            #expect(UnitCatalog.symbols(of: dimension).first == symbol)
        }
    }

    @Test func conversionsGiveTheExpectedCanonicalValues() throws {
        func canonical(_ value: Double, _ symbol: String) throws -> Double {
            value * (try #require(UnitCatalog.definition(of: symbol))).toCanonical
        }
        #expect(try canonical(2.5, "MWh") == 2500)
        #expect(abs(try canonical(3.6, "MJ") - 1) < 1e-12)
        #expect(abs(try canonical(3.6, "GJ") - 1000) < 1e-9)
        #expect(try canonical(1500, "Wh") == 1.5)
        #expect(try canonical(0.2, "m3") == 200)
        #expect(try canonical(250, "g") == 0.25)
        #expect(try canonical(1.2, "tCO2e") == 1200)
        #expect(try canonical(90, "vCPU-min") == 1.5)
        #expect(try canonical(7200, "vCPU-s") == 2)
        #expect(try canonical(3600, "GB-s") == 1)
        #expect(try canonical(1, "TiB") == 1099.511627776)
        #expect(try canonical(1024, "MB") == 1.024)
        #expect(try canonical(30, "min") == 0.5)
    }

    @Test func symbolsAreCaseSensitive() {
        #expect(UnitCatalog.definition(of: "kwh") == nil)
        #expect(UnitCatalog.definition(of: "mWh") == nil)
        #expect(UnitCatalog.definition(of: "KG") == nil)
        #expect(UnitCatalog.definition(of: "") == nil)
        #expect(UnitCatalog.caseInsensitiveMatch(for: "kwh") == "kWh")
        #expect(UnitCatalog.caseInsensitiveMatch(for: "furlong") == nil)
    }

    @Test func everyKindExpectsItsDimension() {
        #expect(ActivityKind.facilityElectricity.dimension == .energy)
        #expect(ActivityKind.facilityOnsiteRenewable.dimension == .energy)
        #expect(ActivityKind.facilityITElectricity.dimension == .energy)
        #expect(ActivityKind.facilityCertificate.dimension == .energy)
        #expect(ActivityKind.productITElectricity.dimension == .energy)
        #expect(ActivityKind.facilityFuel.dimension == .volume)
        #expect(ActivityKind.facilityRefrigerant.dimension == .mass)
        #expect(ActivityKind.hardwareEmbodied.dimension == .emissions)
        #expect(ActivityKind.productCapacity.usesProductUnit)
        #expect(ActivityKind.usage.usesProductUnit)
        for kind in ActivityKind.allCases {
            #expect(kind.bucketGranularity == (kind == .hardwareEmbodied ? .month : .hour))
        }
        #expect(ActivityKind.allCases.map(\.rawValue) == [
            "facility.electricity", "facility.onsite_renewable", "facility.it_electricity", "facility.fuel",
            "facility.refrigerant", "facility.certificate", "product.it_electricity", "product.capacity",
            "hardware.embodied", "usage", "facility.water_withdrawal", "facility.water_discharge", "facility.heat_reuse",
            "facility.cooling_energy",
        ])
        #expect(ActivityKind.facilityWaterWithdrawal.dimension == .volume && ActivityKind.facilityHeatReuse.dimension == .energy)
    }
}

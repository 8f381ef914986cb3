/// What a quantity measures. Every unit belongs to exactly one dimension, and units convert
/// only within their dimension.
///
/// Note: Foundation has a class of the same name; code that imports both Foundation and
/// CarbonModel may need to write `CarbonModel.Dimension`.
public enum Dimension: String, Sendable, Hashable, CaseIterable {
    case energy
    case volume
    case mass
    case emissions
    /// vCPU time, the usual allocation unit of compute products.
    case computeTime
    /// Stored or held data over time (memory, disks).
    case dataTime
    /// An amount of data (network egress, object storage snapshots).
    case data
    case time

    /// How the dimension reads in an error message: "an energy unit".
    public var phrase: String {
        switch self {
        case .energy: "an energy unit"
        case .volume: "a volume unit"
        case .mass: "a mass unit"
        case .emissions: "an emissions unit"
        case .computeTime: "a compute-time unit"
        case .dataTime: "a data-time unit"
        case .data: "a data unit"
        case .time: "a time unit"
        }
    }
}

/// One unit symbol and how it converts to the canonical unit of its dimension
/// (`value × toCanonical` is the value in the canonical unit).
public struct UnitDefinition: Sendable, Hashable {
    public var symbol: String
    public var dimension: Dimension
    public var toCanonical: Double

    public init(symbol: String, dimension: Dimension, toCanonical: Double) {
        self.symbol = symbol
        self.dimension = dimension
        self.toCanonical = toCanonical
    }
}

/// The units CarbonMeter accepts (docs/model.md §2). Symbols are case-sensitive on
/// purpose: `MWh` and `mWh` differ by nine orders of magnitude, so guessing would be dangerous.
public enum UnitCatalog {
    /// Every known unit, canonical unit of each dimension first, in a stable order (used for
    /// listing units in error messages).
    public static let all: [UnitDefinition] = [
        UnitDefinition(symbol: "kWh", dimension: .energy, toCanonical: 1),
        UnitDefinition(symbol: "Wh", dimension: .energy, toCanonical: 0.001),
        UnitDefinition(symbol: "MWh", dimension: .energy, toCanonical: 1000),
        UnitDefinition(symbol: "GWh", dimension: .energy, toCanonical: 1_000_000),
        // 1 kWh = 3.6 MJ.
        UnitDefinition(symbol: "MJ", dimension: .energy, toCanonical: 1 / 3.6),
        UnitDefinition(symbol: "GJ", dimension: .energy, toCanonical: 1000 / 3.6),

        UnitDefinition(symbol: "L", dimension: .volume, toCanonical: 1),
        UnitDefinition(symbol: "m3", dimension: .volume, toCanonical: 1000),
        UnitDefinition(symbol: "m³", dimension: .volume, toCanonical: 1000),

        UnitDefinition(symbol: "kg", dimension: .mass, toCanonical: 1),
        UnitDefinition(symbol: "g", dimension: .mass, toCanonical: 0.001),
        UnitDefinition(symbol: "t", dimension: .mass, toCanonical: 1000),

        UnitDefinition(symbol: "kgCO2e", dimension: .emissions, toCanonical: 1),
        UnitDefinition(symbol: "gCO2e", dimension: .emissions, toCanonical: 0.001),
        UnitDefinition(symbol: "tCO2e", dimension: .emissions, toCanonical: 1000),

        UnitDefinition(symbol: "vCPU-h", dimension: .computeTime, toCanonical: 1),
        UnitDefinition(symbol: "vCPU-min", dimension: .computeTime, toCanonical: 1 / 60),
        UnitDefinition(symbol: "vCPU-s", dimension: .computeTime, toCanonical: 1 / 3600),

        // Binary prefixes: 1 GiB = 2^30 bytes = 1.073741824 GB; 1 TiB = 2^40 bytes.
        UnitDefinition(symbol: "GB-h", dimension: .dataTime, toCanonical: 1),
        UnitDefinition(symbol: "GiB-h", dimension: .dataTime, toCanonical: 1.073741824),
        UnitDefinition(symbol: "TB-h", dimension: .dataTime, toCanonical: 1000),
        UnitDefinition(symbol: "TiB-h", dimension: .dataTime, toCanonical: 1099.511627776),
        UnitDefinition(symbol: "GB-s", dimension: .dataTime, toCanonical: 1 / 3600),

        UnitDefinition(symbol: "GB", dimension: .data, toCanonical: 1),
        UnitDefinition(symbol: "MB", dimension: .data, toCanonical: 0.001),
        UnitDefinition(symbol: "GiB", dimension: .data, toCanonical: 1.073741824),
        UnitDefinition(symbol: "TB", dimension: .data, toCanonical: 1000),
        UnitDefinition(symbol: "TiB", dimension: .data, toCanonical: 1099.511627776),

        UnitDefinition(symbol: "h", dimension: .time, toCanonical: 1),
        UnitDefinition(symbol: "s", dimension: .time, toCanonical: 1 / 3600),
        UnitDefinition(symbol: "min", dimension: .time, toCanonical: 1 / 60),
    ]

    private static let bySymbol: [String: UnitDefinition] = Dictionary(
        all.map { ($0.symbol, $0) }, uniquingKeysWith: { first, _ in first })

    /// The unit with exactly this symbol, or nil when the symbol is unknown.
    public static func definition(of symbol: String) -> UnitDefinition? {
        bySymbol[symbol]
    }

    /// The unit every value of `dimension` is normalized to (kWh, L, kg, kgCO2e, vCPU-h, GB-h, GB, h).
    public static func canonicalSymbol(for dimension: Dimension) -> String {
        switch dimension {
        case .energy: "kWh"
        case .volume: "L"
        case .mass: "kg"
        case .emissions: "kgCO2e"
        case .computeTime: "vCPU-h"
        case .dataTime: "GB-h"
        case .data: "GB"
        case .time: "h"
        }
    }

    /// The symbols of `dimension`, canonical first, for error messages.
    public static func symbols(of dimension: Dimension) -> [String] {
        all.filter { $0.dimension == dimension }.map(\.symbol)
    }

    /// A known symbol that differs from `symbol` only in letter case, to suggest when a user
    /// writes `kwh` for `kWh`.
    public static func caseInsensitiveMatch(for symbol: String) -> String? {
        let lowered = symbol.lowercased()
        return all.first { $0.symbol.lowercased() == lowered }?.symbol
    }
}

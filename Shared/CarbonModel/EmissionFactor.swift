/// One entry of the factor library: kg CO2e per canonical unit of an activity, valid for a
/// half-open time range `[validFrom, validTo)` in a region (or everywhere when `region` is nil).
///
/// `activity` is `electricity`, `residual_electricity`, a fuel name (`diesel`) or a gas name
/// (`HFC-134a`, whose value is its GWP in kgCO2e/kg). `value` is already normalized to kg CO2e
/// per canonical unit (kWh, L, kg); `unit` keeps what the declaration said.
public struct EmissionFactor: Codable, Sendable, Hashable {
    public var factor: String
    public var activity: String
    public var region: String?
    public var unit: String
    public var value: Double
    /// Epoch seconds, inclusive.
    public var validFrom: Int64
    /// Epoch seconds, exclusive.
    public var validTo: Int64
    public var source: String
    public var version: String
    /// Declared by a user (tenant or provider) or shipped as a default; a declared factor
    /// beats a default one (see ``FactorResolver``).
    public var origin: FactorOrigin

    public init(
        factor: String, activity: String, region: String?, unit: String, value: Double,
        validFrom: Int64, validTo: Int64, source: String, version: String, origin: FactorOrigin = .declared
    ) {
        self.factor = factor
        self.activity = activity
        self.region = region
        self.unit = unit
        self.value = value
        self.validFrom = validFrom
        self.validTo = validTo
        self.source = source
        self.version = version
        self.origin = origin
    }

    private enum CodingKeys: String, CodingKey {
        case factor, activity, region, unit, value, validFrom, validTo, source, version, origin
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        factor = try c.decode(String.self, forKey: .factor)
        activity = try c.decode(String.self, forKey: .activity)
        region = try c.decodeIfPresent(String.self, forKey: .region)
        unit = try c.decode(String.self, forKey: .unit)
        value = try c.decode(Double.self, forKey: .value)
        validFrom = try c.decode(Int64.self, forKey: .validFrom)
        validTo = try c.decode(Int64.self, forKey: .validTo)
        source = try c.decode(String.self, forKey: .source)
        version = try c.decode(String.self, forKey: .version)
        // Factors stored before defaults shipped were all declared by users.
        origin = try c.decodeIfPresent(FactorOrigin.self, forKey: .origin) ?? .declared
    }
}

/// Where a factor comes from: declared by a user, or shipped with CarbonMeter as a default.
public enum FactorOrigin: String, Codable, Sendable, Hashable {
    case declared
    case providerDefault = "default"
}

extension EmissionFactor {
    /// What the factor is per: the dimension of its unit's denominator (`kgCO2e/L` → volume).
    public var denominatorDimension: Dimension? {
        guard let slash = unit.firstIndex(of: "/") else { return nil }
        return UnitCatalog.definition(of: String(unit[unit.index(after: slash)...]))?.dimension
    }
}

/// The identity of a factor as used by a result, kept so a result can be explained and restated.
public struct FactorReference: Codable, Sendable, Hashable {
    public var factor: String
    public var version: String
    /// kg CO2e per canonical unit (`unit`), as applied.
    public var value: Double
    /// What the factor is for (`electricity`, `diesel`, `HFC-134a`, …); nil in results
    /// calculated before references carried it.
    public var activity: String?
    /// The unit `value` is in: kg CO2e per the canonical unit of the activity (`kgCO2e/kWh`,
    /// `kgCO2e/L`, `kgCO2e/kg`), whatever unit the declaration used.
    public var unit: String?
    /// Where the figure comes from (publication, vendor), as declared.
    public var source: String?

    public init(factor: String, version: String, value: Double, activity: String? = nil, unit: String? = nil, source: String? = nil) {
        self.factor = factor
        self.version = version
        self.value = value
        self.activity = activity
        self.unit = unit
        self.source = source
    }

    /// The reference to `factor` as applied, with what a report says about it.
    public init(_ factor: EmissionFactor) {
        let unit = factor.denominatorDimension.map { "kgCO2e/" + UnitCatalog.canonicalSymbol(for: $0) } ?? factor.unit
        self.init(factor: factor.factor, version: factor.version, value: factor.value, activity: factor.activity, unit: unit, source: factor.source)
    }

    // Identity is the factor, version and value applied: activity, unit and source describe it
    // and do not make two references of one factor different.
    public static func == (a: FactorReference, b: FactorReference) -> Bool {
        a.factor == b.factor && a.version == b.version && a.value == b.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(factor)
        hasher.combine(version)
        hasher.combine(value)
    }
}

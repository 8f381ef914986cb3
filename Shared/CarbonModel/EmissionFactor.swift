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

    public init(
        factor: String, activity: String, region: String?, unit: String, value: Double,
        validFrom: Int64, validTo: Int64, source: String, version: String
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
    }
}

/// The identity of a factor as used by a result, kept so a result can be explained and restated.
public struct FactorReference: Codable, Sendable, Hashable {
    public var factor: String
    public var version: String
    public var value: Double

    public init(factor: String, version: String, value: Double) {
        self.factor = factor
        self.version = version
        self.value = value
    }
}

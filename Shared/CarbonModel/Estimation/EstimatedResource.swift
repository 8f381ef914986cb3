/// What a usage record measures when it is to be estimated (docs/model.md §15), given
/// by its `resource_type` field. It fixes the unit dimension the record's value must have and
/// the CCF coefficient that turns it into energy.
public enum EstimatedResource: String, Codable, Sendable, Hashable, CaseIterable {
    /// vCPU-hours: `vCPU_h × (W_min + util × (W_max − W_min)) / 1000` kWh.
    case compute
    /// GB-hours of memory: `GB_h × 0.000392` kWh.
    case memory
    /// SSD storage, in data-time (TB-h, GB-h, …): `TB_h × 1.2 / 1000` kWh.
    case ssd
    /// HDD storage, in data-time: `TB_h × 0.65 / 1000` kWh.
    case hdd
    /// Network egress, in data (GB, TB, …): `GB × 0.001` kWh.
    case network

    /// The dimension the usage value must have.
    public var dimension: Dimension {
        switch self {
        case .compute: .computeTime
        case .memory, .ssd, .hdd: .dataTime
        case .network: .data
        }
    }

    /// The unit the formula takes its quantity in.
    public var quantityUnit: String {
        switch self {
        case .compute: "vCPU-h"
        case .memory: "GB-h"
        case .ssd, .hdd: "TB-h"
        case .network: "GB"
        }
    }
}

/// A public cloud whose usage CarbonMeter can estimate without facility data (docs/model.md
/// §15, estimation mode): it selects the CCF coefficients, the PUE and the grid factors.
public enum CloudProvider: String, Codable, Sendable, Hashable, CaseIterable {
    case aws
    case gcp
    case azure
    /// Alibaba Cloud.
    case ali
}

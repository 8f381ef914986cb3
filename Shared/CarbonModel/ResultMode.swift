/// How a result was produced (SPEC §1): from the provider's facility data (`measured`) or from
/// resource details with CCF coefficients (`estimated`). Figures of different modes are never
/// summed without saying so.
public enum ResultMode: String, Codable, Sendable, Hashable, CaseIterable {
    case measured
    case estimated
}

/// How a result was produced (docs/model.md §15): from the provider's facility data (`measured`) or from
/// resource details with CCF coefficients (`estimated`). Figures of different modes are never
/// summed without saying so.
public enum ResultMode: String, Codable, Sendable, Hashable, CaseIterable {
    case measured
    case estimated
}

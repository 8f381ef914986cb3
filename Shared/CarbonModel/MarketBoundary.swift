/// Whether certificates produced in another grid than a site's count for the site's
/// market-based scope 2 (docs/model.md §9). The hourly method never applies them; the monthly
/// method applies them unless the boundary is enforced for it too.
public enum MarketBoundary: String, Sendable, Hashable, CaseIterable {
    /// Monthly matching applies certificates of any grid (the method as it always was); hourly
    /// matching only those of the site's grid.
    case hourlyOnly = "hourly"
    /// Both methods apply only certificates of the site's grid.
    case both
}

/// Decides which region-months a declared (added or revised) emission factor can change, so a
/// factor declaration restates exactly those results and nothing more.
///
/// A factor with `region == R` is looked up only under the grid `R` (see ``FactorResolver``):
/// a region-month uses it when one of its sites has grid `R`, or, for estimated usage, when `R`
/// is the factor-library region of a provider region (`<provider>/<region>`, see
/// ``CCFCoefficients/gridRegion(provider:region:)``) that equals the region-month's region. A
/// global factor (`region == nil`) can apply anywhere. Either way the factor matters only in
/// months its validity `[validFrom, validTo)` overlaps.
public enum FactorImpact {
    /// Whether `factor` can change the results of `region` in `month`, where `grids` are the
    /// grids of the sites declared in `region`.
    public static func touches(_ factor: EmissionFactor, region: String, month: CalendarMonth, grids: Set<String>) -> Bool {
        guard factor.validFrom < month.end && factor.validTo > month.start else { return false }
        guard let factorRegion = factor.region else { return true }
        if grids.contains(factorRegion) { return true }
        // Estimation-mode grid factors are filed as `<provider>/<provider region>`.
        return CloudProvider.allCases.contains { CCFCoefficients.gridRegion(provider: $0, region: region) == factorRegion }
    }

    /// Whether any of `factors` (the new declarations and the ones they replace) touches the
    /// region-month.
    public static func touches(_ factors: [EmissionFactor], region: String, month: CalendarMonth, grids: Set<String>) -> Bool {
        factors.contains { touches($0, region: region, month: month, grids: grids) }
    }
}

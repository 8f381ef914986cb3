/// The emission factors shipped with CarbonMeter (SPEC §1, emission factors), loaded by the
/// calculator at start as provider defaults (`origin: default`). A factor a user declares for
/// the same activity and region always beats a default (``FactorResolver`` rule 3).
public enum DefaultFactorLibrary {
    /// Every default factor: the CCF grid factors of public-cloud regions (for estimation mode).
    public static func factors() -> [EmissionFactor] {
        CCFCoefficients.gridFactors()
    }
}

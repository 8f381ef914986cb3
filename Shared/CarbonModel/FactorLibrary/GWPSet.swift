/// Which IPCC assessment report's GWP-100 values the shipped refrigerant factors use. Only one
/// set is loaded at a time (two sets valid at the same instant would make the choice implicit);
/// the calculator's `--gwp-set` picks it.
public enum GWPSet: String, Sendable, Hashable, CaseIterable {
    /// IPCC Fifth Assessment Report (2014).
    case ar5 = "AR5"
    /// IPCC Sixth Assessment Report (2021): the default, as the most recent science.
    case ar6 = "AR6"
}

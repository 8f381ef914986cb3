/// The thresholds of the data-quality pass over metered facility series, configured on the
/// calculator (`--hampel-half-window`, `--outlier-threshold`, `--outlier-min-relative-mad`,
/// `--max-gap-hours`, or the `CM_*` variables) and applied where a region-month's input is built.
public struct DataQualitySettings: Sendable, Hashable {
    public var outliers: OutlierPolicy
    /// Longest run of missing hours filled by interpolation; 0 fills nothing.
    public var maxGapHours: Int

    public static let `default` = DataQualitySettings(outliers: .default, maxGapHours: GapFiller.defaultMaxGapHours)

    public init(outliers: OutlierPolicy, maxGapHours: Int) {
        self.outliers = outliers
        self.maxGapHours = maxGapHours
    }
}

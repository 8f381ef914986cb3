/// Flags outliers of a series with a Hampel window: a value is an outlier when it lies more
/// than `threshold` robust standard deviations from the median of its window, where the
/// robust standard deviation is `1.4826 × MAD` (the median absolute deviation, scaled to equal
/// σ for normal data). This is the modified z-score test (Iglewicz–Hoaglin) applied locally;
/// a window wider than the series makes it the global median/MAD test.
///
/// When the window's MAD is 0 (at least half of its values are equal) any value other than
/// the median is flagged: a flat meter with one reading away from it is the case to catch.
/// Outliers are flagged, never dropped or replaced: the caller keeps the value.
public struct OutlierPolicy: Sendable, Hashable {
    /// Robust z above which a value is flagged (default 3.5, Iglewicz–Hoaglin).
    public var threshold: Double
    /// Values taken on each side of the one tested (the window has `2 × halfWindow + 1`,
    /// truncated at the ends of the series).
    public var halfWindow: Int

    public static let `default` = OutlierPolicy(threshold: 3.5, halfWindow: 12)

    public init(threshold: Double, halfWindow: Int) {
        self.threshold = threshold
        self.halfWindow = halfWindow
    }
}


/// Flags outliers of a series with a Hampel window: a value is an outlier when it lies more
/// than `threshold` robust standard deviations from the median of its window, where the
/// robust standard deviation is `1.4826 × MAD` (the median absolute deviation, scaled to equal
/// σ for normal data). This is the modified z-score test (Iglewicz–Hoaglin) applied locally;
/// a window wider than the series makes it the global median/MAD test.
///
/// The MAD is floored at `minimumRelativeMAD × |median|`. Without a floor a window where at
/// least half of the values are equal has MAD 0 and every other value is "infinitely" far:
/// a monthly meter reading spread over 744 hours in integer micro-kWh has hours that differ
/// by 1 µkWh, which must not be flagged. A flat meter with one reading well away from it (more
/// than `threshold × 1.4826 × minimumRelativeMAD` relative, 5.2 % by default) is still caught.
/// Outliers are flagged, never dropped or replaced: the caller keeps the value.
public struct OutlierPolicy: Sendable, Hashable {
    /// Robust z above which a value is flagged (default 3.5, Iglewicz–Hoaglin).
    public var threshold: Double
    /// Values taken on each side of the one tested (the window has `2 × halfWindow + 1`,
    /// truncated at the ends of the series).
    public var halfWindow: Int
    /// Floor of the MAD as a fraction of the window's |median| (default 0.01).
    public var minimumRelativeMAD: Double

    public static let `default` = OutlierPolicy(threshold: 3.5, halfWindow: 12)

    public init(threshold: Double, halfWindow: Int, minimumRelativeMAD: Double = 0.01) {
        self.threshold = threshold
        self.halfWindow = halfWindow
        self.minimumRelativeMAD = minimumRelativeMAD
    }
}

/// The grain at which the calculator keeps the amounts of a series. Usage without resource
/// details enters the allocation only as each tenant's total for the month (see
/// ``RegionMonthAccumulator/add(kind:site:product:tenant:substance:bucket:amount:)``, which sums
/// its buckets per product and tenant), so its series is kept as one integer sum per calendar
/// month, in a bucket that starts with the month. Everything the engine applies hour by hour
/// (facility meters, estimable usage) is kept per time bucket. Both are exact integer
/// micro-unit sums, so the engine gets the same input either way, while a recalculation reads
/// one row per tenant cell instead of one per hour.
public enum SeriesGrain: String, Sendable, Hashable {
    /// One sum per bucket of the kind's granularity (UTC hours; months for monthly kinds).
    case bucket
    /// One sum per calendar month.
    case month

    /// The grain of the series of `kind` whose series field is `substance` (an estimation
    /// profile key for estimable usage): month for usage that is not estimable, else bucket.
    /// The test is the accumulator's own (`EstimationProfile(key:)`), so the two never disagree.
    public init(kind: ActivityKind, substance: String) {
        self = kind == .usage && EstimationProfile(key: substance) == nil ? .month : .bucket
    }
}

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

    /// The sums of `buckets` per calendar month, each in the bucket starting its month, in time
    /// order, zero sums left out: how a month series holds what a bucket series held (the
    /// calculator's migration to month sums). Integer sums, so nothing is rounded.
    public static func monthTotals(of buckets: [TimeBucket]) -> [TimeBucket] {
        var totals: [Int64: Int64] = [:]
        for bucket in buckets { totals[CalendarMonth(containing: bucket.start).start, default: 0] += bucket.amount }
        return totals.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { TimeBucket(start: $0.key, amount: $0.value) }
    }
}

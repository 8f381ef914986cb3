/// What one normalized record adds to the calculator's series sums: the series it belongs to,
/// the series' grain (``SeriesGrain``), and the record's amount in that grain — the buckets of
/// ``TimeSplitter`` for a bucket series, their totals per calendar month (in a bucket starting
/// with the month) for a month series. Subtracting a revised record's contribution undoes
/// adding it exactly, since both are the same integers.
public struct SeriesContribution: Sendable, Hashable {
    public var series: SeriesIdentity
    public var grain: SeriesGrain
    /// The parts to add to the series' buckets, in time order, none of them zero except the
    /// markers of a measured zero of a facility measure (see the initializer).
    public var parts: [TimeBucket]
    /// The record's amount per calendar month (whatever the grain): the region-months it
    /// touches, and the tag sums.
    public var monthly: [CalendarMonth: Int64]

    /// The `substance` of the series of grid electricity spread by a load profile.
    public static let profiledElectricity = "profiled"

    public init(_ record: NormalizedRecord) {
        // Usage with resource details keeps one series per estimation profile (in the series'
        // `substance` field, unused by usage otherwise): the estimate is linear in the amount
        // for a given profile, so the integer sums stay exact and revisions subtract cleanly.
        // The profile was checked by the preprocessor; parsing is deterministic, so adding and
        // later subtracting the same stored record always split it the same way.
        let profile = record.profile.flatMap { try? LoadProfile(parsing: $0) }
        // Grid electricity spread by a profile is a series of its own, so the data-quality
        // shares can say which part of a site's electricity rests on a profile.
        let substance =
            record.kind == .facilityElectricity && profile != nil
            ? Self.profiledElectricity : record.estimationProfile?.key ?? record.substance ?? ""
        let series = SeriesIdentity(
            region: record.region, site: record.site ?? "", kind: record.kind.rawValue, product: record.product ?? "",
            tenant: record.tenant ?? "", substance: substance)
        let grain = SeriesGrain(kind: record.kind, substance: series.substance)
        let buckets =
            if let profile, record.kind.bucketGranularity == .hour {
                TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, profile: profile)
            } else {
                TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: record.kind.bucketGranularity)
            }
        self.series = series
        self.grain = grain
        // A measured zero (no heat reused, no water discharged) says the quantity was measured:
        // kept as a zero part in each month the record covers, so the month's indicator reads
        // 0 instead of "not measured". Other kinds' zeros change nothing and are left out.
        if buckets.isEmpty, record.kind.isFacilityMeasure {
            var zeros: [TimeBucket] = []
            var month = CalendarMonth(containing: record.start)
            while month.start < max(record.end, record.start + 1) {
                zeros.append(TimeBucket(start: TimeSplitter.bucketStart(containing: max(record.start, month.start), granularity: .hour), amount: 0))
                month = month.next
            }
            monthly = Dictionary(uniqueKeysWithValues: zeros.map { (CalendarMonth(containing: $0.start), Int64(0)) })
            parts = zeros
            return
        }
        // Most metered records lie within one hour: no grouping needed.
        if buckets.count == 1, let only = buckets.first {
            let month = CalendarMonth(containing: only.start)
            monthly = [month: only.amount]
            parts = grain == .month ? [TimeBucket(start: month.start, amount: only.amount)] : buckets
            return
        }
        var monthly: [CalendarMonth: Int64] = [:]
        for bucket in buckets { monthly[CalendarMonth(containing: bucket.start), default: 0] += bucket.amount }
        self.monthly = monthly
        // Every bucket of a record has the record's sign, so no month sums to zero and the month
        // totals keep every month the record touches.
        parts = grain == .month ? SeriesGrain.monthTotals(of: buckets) : buckets
    }
}

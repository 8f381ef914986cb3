/// Splits a record's amount over the UTC hours or calendar months its time range covers, pro
/// rata by seconds of overlap (docs/model.md §6).
///
/// Amounts are integer micro-units and the parts always add up exactly to the whole, so that
/// adding a record and later subtracting it (on revision) leaves every bucket as it was.
public enum TimeSplitter {
    private static let secondsPerHour: Int64 = 3600
    private static let secondsPerDay: Int64 = 86_400

    /// The buckets of `[start, end)`, in time order. The share of bucket `i` is
    /// `amount × overlap_i / (end − start)`, rounded down; the units left over go one each to
    /// the buckets with the largest remainders (ties to the earlier bucket), so the result is
    /// deterministic and sums exactly to `amount`. Buckets whose share is zero are left out.
    /// A negative amount is split like its magnitude and negated, so revisions cancel exactly.
    /// An empty or inverted range puts the whole amount into the bucket containing `start`.
    public static func split(start: Int64, end: Int64, amount: Int64, granularity: BucketGranularity) -> [TimeBucket] {
        if amount == 0 { return [] }
        let first = bucketStart(containing: start, granularity: granularity)
        if end <= start { return [TimeBucket(start: first, amount: amount)] }
        // Fast path: most metered records lie within one bucket.
        if end <= nextBucketStart(after: first, granularity: granularity) {
            return [TimeBucket(start: first, amount: amount)]
        }

        var starts: [Int64] = []
        var overlaps: [UInt64] = []
        var bucket = first
        while bucket < end {
            let next = nextBucketStart(after: bucket, granularity: granularity)
            starts.append(bucket)
            overlaps.append(UInt64(min(next, end) - max(bucket, start)))
            bucket = next
        }

        return distribute(amount: amount, over: starts, weights: overlaps, total: UInt64(end - start))
    }

    /// The UTC hours of `[start, end)` with `amount` spread by `profile`: the share of hour `i`
    /// is `amount × w_i / Σ w`, where `w_i` is the hour's seconds of overlap times its profile
    /// weight (weights scaled to whole millionths of the largest, so the split is exact integer
    /// arithmetic like ``split(start:end:amount:granularity:)``, with the same largest-remainder
    /// rounding). When every overlapped hour has weight 0 the profile says nothing about this
    /// interval, and the amount is spread evenly instead.
    public static func split(start: Int64, end: Int64, amount: Int64, profile: LoadProfile) -> [TimeBucket] {
        if amount == 0 { return [] }
        let first = bucketStart(containing: start, granularity: .hour)
        if end <= first + secondsPerHour { return split(start: start, end: end, amount: amount, granularity: .hour) }
        let largest = profile.weights.max() ?? 1
        var starts: [Int64] = []
        var weights: [UInt64] = []
        var bucket = first
        while bucket < end {
            let next = bucket + secondsPerHour
            let scaled = UInt64((profile.weight(at: bucket) / largest * 1_000_000).rounded())
            starts.append(bucket)
            weights.append(UInt64(min(next, end) - max(bucket, start)) * scaled)
            bucket = next
        }
        let total = weights.reduce(0, +)
        if total == 0 { return split(start: start, end: end, amount: amount, granularity: .hour) }
        return distribute(amount: amount, over: starts, weights: weights, total: total)
    }

    /// `amount` over `starts` in proportion to `weights` (which sum to `total`), rounded down,
    /// the units left over going one each to the largest remainders (ties to the earlier).
    private static func distribute(amount: Int64, over starts: [Int64], weights: [UInt64], total: UInt64) -> [TimeBucket] {
        let magnitude = amount.magnitude
        var shares = [UInt64](repeating: 0, count: weights.count)
        var remainders = [UInt64](repeating: 0, count: weights.count)
        var assigned: UInt64 = 0
        for index in weights.indices {
            let product = magnitude.multipliedFullWidth(by: weights[index])
            let (quotient, remainder) = total.dividingFullWidth(product)
            shares[index] = quotient
            remainders[index] = remainder
            assigned += quotient
        }
        let leftover = Int(magnitude - assigned)
        if leftover > 0 {
            let order = remainders.indices.sorted { a, b in
                remainders[a] != remainders[b] ? remainders[a] > remainders[b] : a < b
            }
            for index in order.prefix(leftover) { shares[index] += 1 }
        }
        var buckets: [TimeBucket] = []
        buckets.reserveCapacity(starts.count)
        for index in starts.indices where shares[index] != 0 {
            let signed = amount < 0 ? Int64(truncatingIfNeeded: 0 &- shares[index]) : Int64(shares[index])
            buckets.append(TimeBucket(start: starts[index], amount: signed))
        }
        return buckets
    }

    /// The same day of the month and time of day `n` calendar months later (earlier for a
    /// negative `n`), the day clamped to the target month's length: Jan 31 + 1 month is
    /// Feb 29 in a leap year, Feb 28 otherwise.
    public static func addingCalendarMonths(_ n: Int, to epochSeconds: Int64) -> Int64 {
        let days = floorDivide(epochSeconds, secondsPerDay)
        let timeOfDay = epochSeconds - days * secondsPerDay
        let (year, month, day) = CalendarMonth.civilFromDays(days)
        let target = CalendarMonth(year: year, month: month).adding(months: n)
        let clampedDay = min(day, daysInMonth(year: target.year, month: target.month))
        return CalendarMonth.daysFromCivil(target.year, target.month, clampedDay) * secondsPerDay + timeOfDay
    }

    /// The first instant of the hour or month that contains `epochSeconds`.
    public static func bucketStart(containing epochSeconds: Int64, granularity: BucketGranularity) -> Int64 {
        switch granularity {
        case .hour:
            return floorDivide(epochSeconds, secondsPerHour) * secondsPerHour
        case .month:
            let (year, month, _) = CalendarMonth.civilFromDays(floorDivide(epochSeconds, secondsPerDay))
            return CalendarMonth.daysFromCivil(year, month, 1) * secondsPerDay
        }
    }

    /// The number of days of a month of the proleptic Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The start of the bucket after the one starting at `bucket` (which must be a bucket start).
    private static func nextBucketStart(after bucket: Int64, granularity: BucketGranularity) -> Int64 {
        switch granularity {
        case .hour:
            return bucket + secondsPerHour
        case .month:
            let (year, month, _) = CalendarMonth.civilFromDays(bucket / secondsPerDay)
            let next = CalendarMonth(year: year, month: month).next
            return CalendarMonth.daysFromCivil(next.year, next.month, 1) * secondsPerDay
        }
    }

    /// Division rounding toward negative infinity, so instants before 1970 land in the right bucket.
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}

/// The width of the time buckets a record is split into.
public enum BucketGranularity: String, Sendable, Hashable, Codable {
    /// UTC clock hours.
    case hour
    /// UTC calendar months.
    case month
}

/// The part of a record's amount that falls into one UTC hour or calendar month.
public struct TimeBucket: Sendable, Hashable {
    /// Epoch seconds of the first instant of the UTC hour or calendar month.
    public var start: Int64
    /// Micro-units of the record's unit.
    public var amount: Int64

    public init(start: Int64, amount: Int64) {
        self.start = start
        self.amount = amount
    }
}

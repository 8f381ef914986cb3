/// Per-credential ingest rate limits as a token bucket, in records: each key (an API key id or
/// a user) holds at most `burst` tokens, earns `recordsPerSecond` tokens a second, and a batch
/// of n records takes n tokens. Pure: the caller keeps the buckets and the clock.
public struct IngestRateLimit: Sendable, Hashable {
    /// One key's bucket: tokens left as of `asOf` (seconds, any fixed origin).
    public struct Bucket: Sendable, Hashable {
        public var tokens: Double
        public var asOf: Double
        public init(tokens: Double, asOf: Double) {
            self.tokens = tokens
            self.asOf = asOf
        }
    }

    /// What to answer a batch.
    public enum Decision: Sendable, Hashable {
        /// Take it; keep `bucket` for the key.
        case admitted(Bucket)
        /// Refuse it (429); enough tokens will be there in `retryAfterSeconds` (whole seconds,
        /// rounded up, at least 1). The bucket is unchanged except for the refill.
        case limited(retryAfterSeconds: Int, bucket: Bucket)
        /// The batch holds more records than the bucket can ever hold: it must be split.
        case tooLarge(burst: Int)
    }

    public var recordsPerSecond: Double
    public var burst: Int

    /// `recordsPerSecond` ≤ 0 means no limit.
    public init(recordsPerSecond: Double, burst: Int) {
        self.recordsPerSecond = recordsPerSecond
        self.burst = max(1, burst)
    }

    public var isUnlimited: Bool { recordsPerSecond <= 0 }

    /// Decides a batch of `records` for a key whose bucket is `bucket` (nil: first batch, the
    /// bucket starts full) at time `now`.
    public func decide(records: Int, bucket: Bucket?, now: Double) -> Decision {
        let full = Double(burst)
        guard !isUnlimited else { return .admitted(Bucket(tokens: full, asOf: now)) }
        if records > burst { return .tooLarge(burst: burst) }
        let start = bucket ?? Bucket(tokens: full, asOf: now)
        // A clock that stepped back refills nothing rather than draining.
        let elapsed = max(0, now - start.asOf)
        let tokens = min(full, start.tokens + elapsed * recordsPerSecond)
        let needed = Double(records)
        if tokens >= needed { return .admitted(Bucket(tokens: tokens - needed, asOf: now)) }
        let wait = (needed - tokens) / recordsPerSecond
        // Rounded up so that a sender waiting exactly Retry-After seconds is admitted; the small
        // tolerance keeps 2.0000000001 (floating-point noise) from becoming 3.
        let seconds = max(1, Int((wait - 1e-9).rounded(.up)))
        return .limited(retryAfterSeconds: seconds, bucket: Bucket(tokens: tokens, asOf: now))
    }
}

import AccessControl
import Testing

@Suite struct IngestRateLimitTests {
    // 10 records/s, burst 50.
    let limit = IngestRateLimit(recordsPerSecond: 10, burst: 50)

    @Test func aFreshKeyStartsWithAFullBucket() {
        // 50 − 30 = 20 tokens left.
        #expect(limit.decide(records: 30, bucket: nil, now: 100) == .admitted(.init(tokens: 20, asOf: 100)))
        #expect(limit.decide(records: 50, bucket: nil, now: 100) == .admitted(.init(tokens: 0, asOf: 100)))
    }

    @Test func tokensRefillAtTheRateUpToTheBurst() {
        // 5 tokens at t=100; at t=101.5: 5 + 1.5 × 10 = 20; take 20 → 0.
        #expect(limit.decide(records: 20, bucket: .init(tokens: 5, asOf: 100), now: 101.5) == .admitted(.init(tokens: 0, asOf: 101.5)))
        // 40 tokens, an hour later: capped at 50; take 50 → 0.
        #expect(limit.decide(records: 50, bucket: .init(tokens: 40, asOf: 0), now: 3_600) == .admitted(.init(tokens: 0, asOf: 3_600)))
    }

    @Test func aBatchBeyondTheTokensWaitsTheRoundedUpTime() {
        // 0 tokens, 25 records: (25 − 0) / 10 = 2.5 s → Retry-After 3.
        #expect(limit.decide(records: 25, bucket: .init(tokens: 0, asOf: 100), now: 100) == .limited(retryAfterSeconds: 3, bucket: .init(tokens: 0, asOf: 100)))
        // 5 tokens at t=100, at t=100.5: 5 + 5 = 10 tokens; 30 records: (30 − 10) / 10 = 2 s exactly → 2.
        #expect(limit.decide(records: 30, bucket: .init(tokens: 5, asOf: 100), now: 100.5) == .limited(retryAfterSeconds: 2, bucket: .init(tokens: 10, asOf: 100.5)))
        // 9.95 tokens, 10 records: 0.05 / 10 = 0.005 s → at least 1.
        #expect(limit.decide(records: 10, bucket: .init(tokens: 9.95, asOf: 7), now: 7) == .limited(retryAfterSeconds: 1, bucket: .init(tokens: 9.95, asOf: 7)))
        // After waiting the 2 s, the same batch is admitted: 10 + 2 × 10 = 30 → 0 left.
        #expect(limit.decide(records: 30, bucket: .init(tokens: 10, asOf: 100.5), now: 102.5) == .admitted(.init(tokens: 0, asOf: 102.5)))
    }

    @Test func aBatchLargerThanTheBurstMustBeSplit() {
        #expect(limit.decide(records: 51, bucket: nil, now: 0) == .tooLarge(burst: 50))
    }

    @Test func aClockThatStepsBackRefillsNothing() {
        // 5 tokens as of t=100, now t=90: still 5; 6 records: 1 / 10 = 0.1 s → 1.
        #expect(limit.decide(records: 6, bucket: .init(tokens: 5, asOf: 100), now: 90) == .limited(retryAfterSeconds: 1, bucket: .init(tokens: 5, asOf: 90)))
    }

    @Test func zeroRateMeansNoLimit() {
        let off = IngestRateLimit(recordsPerSecond: 0, burst: 1)
        #expect(off.decide(records: 1_000_000, bucket: nil, now: 0) == .admitted(.init(tokens: 1, asOf: 0)))
    }
}

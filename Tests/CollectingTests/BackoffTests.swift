import Collecting
import Testing

@Suite struct BackoffTests {
    @Test func doublesFromTheBaseUpToTheCap() {
        let backoff = Backoff(baseMilliseconds: 500, capMilliseconds: 5_000)
        // 500, 1000, 2000, 4000, then min(8000, 5000) = 5000 and 5000 from then on.
        #expect((0...7).map { backoff.delay(afterFailures: $0) } == [0, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000])
        #expect(backoff.delay(afterFailures: 1_000_000) == 5_000)
    }

    @Test func aCapBelowTheBaseIsRaisedToTheBase() {
        #expect(Backoff(baseMilliseconds: 2_000, capMilliseconds: 10).delay(afterFailures: 3) == 2_000)
    }
}

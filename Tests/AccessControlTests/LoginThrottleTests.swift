import AccessControl
import Testing

@Suite struct LoginThrottleTests {
    let throttle = LoginThrottle(maxFailures: 3, lockoutSeconds: 300)

    @Test func eachFailureWaitsLongerUpToTwoSeconds() {
        // 200 ms per failure so far: 1 → 200, 2 → 400, 3 → 600; capped at 10 × 200 = 2000.
        #expect([1, 2, 3, 10, 50].map { throttle.delayMilliseconds(failures: $0) } == [200, 400, 600, 2_000, 2_000])
    }

    @Test func theThirdFailureLocksForTheLockoutPeriod() {
        #expect(throttle.lockedUntil(failures: 2, now: 1_000) == nil)
        #expect(throttle.lockedUntil(failures: 3, now: 1_000) == 1_300)
        // Locked at 1_300: at 1_000 there are 300 s left, at 1_299 one, at 1_300 none.
        #expect(LoginThrottle.retryAfter(lockedUntil: 1_300, now: 1_000) == 300)
        #expect(LoginThrottle.retryAfter(lockedUntil: 1_300, now: 1_299) == 1)
        #expect(LoginThrottle.retryAfter(lockedUntil: 1_300, now: 1_300) == nil)
        #expect(LoginThrottle.retryAfter(lockedUntil: nil, now: 1_300) == nil)
    }
}

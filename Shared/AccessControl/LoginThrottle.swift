/// Failed-login throttling and lockout, as a pure policy over counts and clock readings.
/// Failures are counted per user name, whether or not the user exists, so that lockout cannot
/// be used to learn which names exist. After `maxFailures` consecutive failures the name is
/// locked for `lockoutSeconds`; before that, each failure delays the next answer a little more.
public struct LoginThrottle: Sendable, Hashable {
    public var maxFailures: Int
    public var lockoutSeconds: Int64

    public init(maxFailures: Int, lockoutSeconds: Int64) {
        self.maxFailures = maxFailures
        self.lockoutSeconds = lockoutSeconds
    }

    /// How long to hold the answer to a failed attempt: 200 ms per failure so far, at most 2 s.
    /// E.g. the third failure in a row is answered after 600 ms.
    public func delayMilliseconds(failures: Int) -> Int { min(failures, 10) * 200 }

    /// When the name is locked until, after a failure that brings the count to `failures`.
    public func lockedUntil(failures: Int, now: Int64) -> Int64? {
        failures >= maxFailures ? now + lockoutSeconds : nil
    }

    /// Seconds left on a lock, or nil when the name may try.
    public static func retryAfter(lockedUntil: Int64?, now: Int64) -> Int64? {
        guard let lockedUntil, lockedUntil > now else { return nil }
        return lockedUntil - now
    }
}

/// Exponential back-off for retrying a failing source: the first retry after `base`, then twice
/// as long after each further failure, never longer than `cap`.
public struct Backoff: Sendable, Hashable {
    public var baseMilliseconds: Int
    public var capMilliseconds: Int

    public init(baseMilliseconds: Int, capMilliseconds: Int) {
        self.baseMilliseconds = max(1, baseMilliseconds)
        self.capMilliseconds = max(self.baseMilliseconds, capMilliseconds)
    }

    /// The wait before the next attempt after `failures` consecutive failures (≥ 1):
    /// `min(cap, base × 2^(failures − 1))`; 0 failures means no wait.
    public func delay(afterFailures failures: Int) -> Int {
        guard failures > 0 else { return 0 }
        // Doubling past the cap only needs as many steps as it takes to reach it; stop early so
        // the shift cannot overflow however many failures there were.
        var delay = baseMilliseconds
        for _ in 1..<failures {
            if delay >= capMilliseconds { break }
            delay *= 2
        }
        return min(delay, capMilliseconds)
    }
}

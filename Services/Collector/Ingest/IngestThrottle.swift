import AccessControl
import Foundation
import HTTPTypes
import Synchronization

/// The collector's per-credential ingest buckets (``IngestRateLimit``), keyed by the sender's
/// subject: `key:<key id>` for an API key, the user name for a token, `anonymous` when
/// authentication is off (then one bucket is shared by every sender). In memory: a restart
/// refills every bucket, which errs on the side of letting data in.
final class IngestThrottle: Sendable {
    let limit: IngestRateLimit
    private let buckets = Mutex<[String: IngestRateLimit.Bucket]>([:])

    init(limit: IngestRateLimit) { self.limit = limit }

    /// Takes `records` tokens from `key`'s bucket, or says why not (429 with a retry delay, or
    /// 413 for a batch the bucket can never hold).
    func take(_ records: Int, key: String, now: Double = Date().timeIntervalSince1970) -> IngestError? {
        guard !limit.isUnlimited else { return nil }
        let decision = buckets.withLock { buckets -> IngestRateLimit.Decision in
            let decision = limit.decide(records: records, bucket: buckets[key], now: now)
            switch decision {
            case .admitted(let bucket), .limited(_, let bucket): buckets[key] = bucket
            case .tooLarge: break
            }
            return decision
        }
        switch decision {
        case .admitted: return nil
        case .limited(let seconds, _):
            return IngestError(
                status: .tooManyRequests,
                description: """
                    rate limit: \(key) may send \(Self.format(limit.recordsPerSecond)) records/s (bursts up to \(limit.burst)); \
                    this batch of \(records) records fits in \(seconds) s
                    """,
                retryAfterSeconds: seconds)
        case .tooLarge(let burst):
            return IngestError(status: .contentTooLarge, description: "a batch of \(records) records exceeds the per-key burst of \(burst) records; split it")
        }
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}

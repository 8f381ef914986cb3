/// How one source is doing, as listed by `GET /v1/sources` and exported in `/metrics`.
public struct SourceHealth: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable {
        /// Registered, no attempt finished yet.
        case starting
        /// The last attempt succeeded.
        case ok
        /// The last attempt failed; it is being retried with back-off.
        case failing
    }

    public var name: String
    public var kind: String
    public var state: State
    /// Seconds since the Unix epoch of the last attempt that finished, successful or not.
    public var lastAttempt: Double?
    /// Seconds since the Unix epoch of the last successful attempt.
    public var lastSuccess: Double?
    /// Seconds from the last success (or from registration, if none yet) to the time of the listing.
    public var lagSeconds: Double
    /// Failed attempts since the collector started.
    public var errors: Int
    public var consecutiveFailures: Int
    public var lastError: String?
    /// Batches stored, records in them, and what validation said about them (processed verdicts only).
    public var batches: Int
    public var records: Int
    public var accepted: Int
    public var rejected: Int

    enum CodingKeys: String, CodingKey {
        case name, kind, state, errors, batches, records, accepted, rejected
        case lastAttempt = "last_attempt"
        case lastSuccess = "last_success"
        case lagSeconds = "lag_seconds"
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
    }
}

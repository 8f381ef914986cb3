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
    /// The large input under way, if any (a billing export being read or sent).
    public var progress: ExportProgress? = nil

    enum CodingKeys: String, CodingKey {
        case name, kind, state, errors, batches, records, accepted, rejected, progress
        case lastAttempt = "last_attempt"
        case lastSuccess = "last_success"
        case lagSeconds = "lag_seconds"
        case consecutiveFailures = "consecutive_failures"
        case lastError = "last_error"
    }
}

/// How far a source is through a large input (a billing export read in chunks): shown in
/// `GET /v1/sources` while it is under way, and by `carbonctl ingest --billing-source`.
public struct ExportProgress: Codable, Sendable, Hashable {
    public enum Phase: String, Codable, Sendable {
        /// Reading every part once to identify the export by its content.
        case hashing
        /// Reading rows and summing them into records (resumable at the last stored chunk).
        case reading
        /// Sending the records in batches.
        case sending
    }

    /// The file or folder name of the export.
    public var export: String
    public var phase: Phase
    /// 1-based part being read, of `parts`.
    public var part: Int
    public var parts: Int
    /// Bytes of the files (as stored: compressed for gzip) read in this phase, of `bytesTotal`.
    public var bytesDone: Int64
    public var bytesTotal: Int64
    /// Rows read so far.
    public var rows: Int
    /// Records and rejected rows sent so far, of `recordsTotal` (known once reading is done).
    public var recordsSent: Int
    public var recordsTotal: Int?
    /// Seconds since the Unix epoch when the export was started (or resumed).
    public var startedAt: Double

    public init(
        export: String, phase: Phase, part: Int, parts: Int, bytesDone: Int64, bytesTotal: Int64, rows: Int, recordsSent: Int = 0,
        recordsTotal: Int? = nil, startedAt: Double
    ) {
        self.export = export
        self.phase = phase
        self.part = part
        self.parts = parts
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.rows = rows
        self.recordsSent = recordsSent
        self.recordsTotal = recordsTotal
        self.startedAt = startedAt
    }

    enum CodingKeys: String, CodingKey {
        case export, phase, part, parts, rows
        case bytesDone = "bytes_done"
        case bytesTotal = "bytes_total"
        case recordsSent = "records_sent"
        case recordsTotal = "records_total"
        case startedAt = "started_at"
    }
}

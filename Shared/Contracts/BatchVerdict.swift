import CarbonModel
import RecordParsing
/// One rejected record of a batch: where it was in the body and why it was rejected.
public struct RejectedRecord: Codable, Sendable, Hashable {
    /// Line number (NDJSON, CSV; 1-based) — set for line formats.
    public var line: Int?
    /// Index in the JSON array (0-based) — set for JSON arrays.
    public var index: Int?
    /// The field at fault; nil when the record as a whole could not be read.
    public var field: String?
    public var reason: String

    public init(position: Int, format: BatchFormat, field: String?, reason: String) {
        if format == .json { index = position } else { line = position }
        self.field = field
        self.reason = reason
    }
}

/// What became of a batch: the preprocessor's answer, relayed by the collector to the sender.
public struct BatchVerdict: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        /// Validated and committed downstream; counts are final.
        case processed
        /// Stored by the collector; validation has not answered yet (see `/v1/batches/{id}`).
        case queued
    }

    public var batch: String
    public var entity: IngestEntity
    public var status: Status
    /// How a door answers the verdict: 200 once every record is decided, 202 while queued.
    public var answerStatusCode: Int { status == .processed ? 200 : 202 }
    public var received: Int
    /// New records (or declarations) accepted.
    public var accepted: Int
    /// Exact repeats of records already held: no effect.
    public var repeats: Int
    /// Records that replaced an earlier version with the same (source, id).
    public var revisions: Int
    public var rejected: [RejectedRecord]

    public init(
        batch: String, entity: IngestEntity, status: Status, received: Int, accepted: Int = 0, repeats: Int = 0,
        revisions: Int = 0, rejected: [RejectedRecord] = []
    ) {
        self.batch = batch
        self.entity = entity
        self.status = status
        self.received = received
        self.accepted = accepted
        self.repeats = repeats
        self.revisions = revisions
        self.rejected = rejected
    }
}

extension BatchVerdict {
    /// The verdict of a batch sent as several parts (one per preprocessor shard). Activity
    /// parts hold disjoint records, so their counts add up; declaration parts each hold the
    /// whole batch (every shard must know every site), so the first part speaks for all.
    public static func merging(_ parts: [BatchVerdict]) -> BatchVerdict? {
        guard var merged = parts.first else { return nil }
        guard merged.entity == .activity else { return merged }
        for part in parts.dropFirst() {
            merged.received += part.received
            merged.accepted += part.accepted
            merged.repeats += part.repeats
            merged.revisions += part.revisions
            merged.rejected += part.rejected
        }
        merged.rejected.sort { ($0.line ?? $0.index ?? 0) < ($1.line ?? $1.index ?? 0) }
        return merged
    }
}

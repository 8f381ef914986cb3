/// What became of a billing export, as written beside it in `done/` (`<name>.verdict.json`),
/// kept in the collector's store and answered by `GET /v1/sources/{source}/exports/{name}`:
/// the conversion's counts and, once its batches were validated, their verdicts summed with the
/// rejections placed on the export's own lines. `carbonctl ingest --source` prints it.
public struct BillingExportNote: Codable, Sendable, Hashable {
    public var export: String
    public var verdict: Verdict?
    /// The batch an identical export was ingested as before (this one was not ingested again).
    public var alreadyDeliveredAsBatch: String?
    public var conversion: BillingConversionSummary

    public init(export: String, verdict: Verdict? = nil, alreadyDeliveredAsBatch: String? = nil, conversion: BillingConversionSummary) {
        self.export = export
        self.verdict = verdict
        self.alreadyDeliveredAsBatch = alreadyDeliveredAsBatch
        self.conversion = conversion
    }

    enum CodingKeys: String, CodingKey {
        case export, verdict, conversion
        case alreadyDeliveredAsBatch = "already_delivered_as_batch"
    }

    /// One rejected row or record of the export, where it is in the export.
    public struct Rejection: Codable, Sendable, Hashable {
        /// The line in the export (in its part, for an export of several parts).
        public var line: Int?
        /// The part (file) of an export of several parts.
        public var part: String?
        public var field: String?
        public var reason: String

        public init(line: Int?, part: String?, field: String?, reason: String) {
            self.line = line
            self.part = part
            self.field = field
            self.reason = reason
        }
    }

    /// The verdicts of an export's batches, summed, with the rejections placed on the export's lines.
    public struct Verdict: Codable, Sendable, Hashable {
        public var batch: String?
        public var batches: [String]
        /// `processed`, or `queued` while some batches are not validated yet (`queuedBatches`).
        public var status: String
        public var queuedBatches: [String]
        public var received: Int
        public var accepted: Int
        public var repeats: Int
        public var revisions: Int
        /// Every rejection of the export; `rejected` lists the first of them.
        public var rejectedCount: Int
        public var rejected: [Rejection]

        public init(
            batch: String?, batches: [String] = [], status: String = "processed", queuedBatches: [String] = [], received: Int = 0,
            accepted: Int = 0, repeats: Int = 0, revisions: Int = 0, rejectedCount: Int = 0, rejected: [Rejection] = []
        ) {
            self.batch = batch
            self.batches = batches
            self.status = status
            self.queuedBatches = queuedBatches
            self.received = received
            self.accepted = accepted
            self.repeats = repeats
            self.revisions = revisions
            self.rejectedCount = rejectedCount
            self.rejected = rejected
        }

        enum CodingKeys: String, CodingKey {
            case batch, batches, status, received, accepted, repeats, revisions, rejected
            case queuedBatches = "queued_batches"
            case rejectedCount = "rejected_count"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            batch = try container.decodeIfPresent(String.self, forKey: .batch)
            batches = try container.decode([String].self, forKey: .batches)
            status = try container.decode(String.self, forKey: .status)
            // Written only when some batches are still queued.
            queuedBatches = try container.decodeIfPresent([String].self, forKey: .queuedBatches) ?? []
            received = try container.decode(Int.self, forKey: .received)
            accepted = try container.decode(Int.self, forKey: .accepted)
            repeats = try container.decode(Int.self, forKey: .repeats)
            revisions = try container.decode(Int.self, forKey: .revisions)
            rejectedCount = try container.decode(Int.self, forKey: .rejectedCount)
            rejected = try container.decode([Rejection].self, forKey: .rejected)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(batch, forKey: .batch)
            try container.encode(batches, forKey: .batches)
            try container.encode(status, forKey: .status)
            if !queuedBatches.isEmpty { try container.encode(queuedBatches, forKey: .queuedBatches) }
            try container.encode(received, forKey: .received)
            try container.encode(accepted, forKey: .accepted)
            try container.encode(repeats, forKey: .repeats)
            try container.encode(revisions, forKey: .revisions)
            try container.encode(rejectedCount, forKey: .rejectedCount)
            try container.encode(rejected, forKey: .rejected)
        }
    }
}

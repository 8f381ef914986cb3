import AccessControl
import CarbonModel
import RecordParsing
import Contracts
import Collecting
import Foundation
import HTTPTypes
import GRDB
import Logging
import Messaging
import ServiceKit

/// Why a batch was refused as a whole (nothing in it was stored).
struct IngestError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var description: String
    /// For 503 and 429: when the sender may try again, in whole seconds.
    var retryAfterSeconds: Int? = nil

    /// The HTTP answer: the status, the reason, and `Retry-After` when there is a delay.
    var apiError: APIError {
        var headers: HTTPFields = [:]
        if let retryAfterSeconds { headers[.retryAfter] = "\(retryAfterSeconds)" }
        return APIError(status, description, headers: headers)
    }
}

/// Receives batches from HTTP and from the ZeroMQ ingest endpoint: frames the body into
/// records, stores the batch as received together with its outbox message in one transaction,
/// and waits (briefly, through `VerdictTracker`) for the preprocessor's verdict to answer the sender.
struct IngestService: Sendable {
    let database: DatabasePool
    let publisher: OutboxPublisher
    /// Where the batch's parts are noted and its verdict awaited.
    let verdicts: VerdictTracker
    let source: MessageSource
    let verdictTimeoutMilliseconds: Int
    /// How many preprocessor replicas share the work, each owning one shard of `(source, id)`.
    let preprocessorShards: Int
    /// Outbox messages not yet taken by the preprocessors beyond which new batches are refused
    /// with 503 and Retry-After: a stalled pipeline pushes back on senders instead of piling up.
    let maxBacklog: Int
    let logger: Logger
    let metrics: CollectorMetrics
    /// Per-credential rate limits of batches sent over HTTP and ZeroMQ (not of compiled-in sources).
    var throttle = IngestThrottle(limit: IngestRateLimit(recordsPerSecond: 0, burst: 1))
    /// Whether each stored batch is also queued for auth's audit chain (when auth is in use).
    var audit = false

    /// A batch arriving through a door of the collector (HTTP or ZeroMQ) from `caller` (nil when
    /// authentication is off): the ingest gate decides whether the caller may send these
    /// records (an ``APIError`` when not), then the batch is stored and its verdict awaited
    /// (an ``IngestError`` when it cannot be). One path, so every door refuses and answers alike.
    func submit(
        body: Data, format: BatchFormat, entity: IngestEntity, channel: String, caller: Principal?, action: String, gate: IngestGate,
        framed: [RawRecord]? = nil
    ) async throws -> BatchVerdict {
        try await gate.authorize(caller, entity: entity, body: body, format: format, action: action)
        return try await ingest(body: body, format: format, entity: entity, channel: channel, submitter: caller, framed: framed)
    }

    /// A batch sent over HTTP or ZeroMQ by `submitter` (nil when authentication is off), subject
    /// to the per-credential rate limit.
    /// `framed`: the body's records when the caller cut them itself (an hourly factor series);
    /// otherwise the body is framed as `format`.
    func ingest(body: Data, format: BatchFormat, entity: IngestEntity, channel: String, submitter: Principal?, framed: [RawRecord]? = nil) async throws
        -> BatchVerdict
    {
        switch try await ingest(
            body: body, format: format, entity: entity, channel: channel, deliveryKey: nil, submitter: submitter,
            rateKey: submitter?.subject ?? "anonymous", framed: framed)
        {
        case .stored(let verdict): return verdict
        case .alreadyDelivered(let batch):  // cannot happen without a key; answer as for a stored batch
            return BatchVerdict(batch: batch, entity: entity, status: .queued, received: 0)
        }
    }

    /// Stores a batch; with a `deliveryKey`, records the key in the same transaction and stores
    /// nothing when the key was recorded before (a file already ingested, even before a restart).
    /// `submitter` is who sent it (nil: a compiled-in source, or authentication off); `rateKey`,
    /// when given, is the bucket the batch's records are taken from.
    func ingest(
        body: Data, format: BatchFormat, entity: IngestEntity, channel: String, deliveryKey: String?, submitter: Principal? = nil,
        rateKey: String? = nil, framed: [RawRecord]? = nil
    ) async throws
        -> DeliveryOutcome
    {
        let backlog = try await database.read { try MessageStore.outboxCount($0) }
        if backlog >= maxBacklog {
            metrics.refusedBusy.increment()
            throw IngestError(
                status: .serviceUnavailable,
                description: "the pipeline is behind: \(backlog) batches wait for validation (limit \(maxBacklog)); retry in a few seconds",
                retryAfterSeconds: 2)
        }
        let records: [RawRecord]
        do {
            records = try framed ?? BatchFraming.records(in: body, format: format)
        } catch {
            throw IngestError(status: .badRequest, description: "could not read the \(format.rawValue) body: \(error)")
        }
        if records.isEmpty { throw IngestError(status: .badRequest, description: "the body holds no records") }
        if let rateKey, let refusal = throttle.take(records.count, key: rateKey) {
            metrics.refusedRate.increment()
            throw refusal
        }
        let batch = MessageID.make()
        let parts = BatchPartition.parts(of: records, entity: entity, shards: preprocessorShards)
        let earlier: String? = try await database.write { db in
            if let deliveryKey {
                if let earlier = try CollectorStore.deliveredBatch(db, key: deliveryKey) { return earlier }
                try CollectorStore.recordDelivery(db, key: deliveryKey, batch: batch, source: channel)
            }
            try CollectorStore.insertBatch(
                db, meta: IngestBatchMeta(batch: batch, entity: entity, format: format, positions: [], tenant: submitter?.tenant),
                channel: channel, body: body, recordCount: records.count, submitter: submitter?.subject)
            if audit {
                // In the batch's transaction: a stored batch always has its audit event, and a
                // batch that was not stored never has one.
                try AuditOutbox.enqueue(
                    db,
                    AuditEvent(
                        id: "ingest-\(batch)", service: "collector",
                        actor: submitter?.subject ?? (deliveryKey == nil ? "anonymous" : "source:\(channel)"), action: "ingest.\(entity.rawValue)",
                        tenant: submitter?.tenant, outcome: "success",
                        detail: "batch \(batch): \(records.count) records via \(channel)"))
            }
            for part in parts {
                let meta = IngestBatchMeta(
                    batch: batch, entity: entity, format: format, positions: part.records.map(\.position), tenant: submitter?.tenant)
                let id = parts.count == 1 && part.shard == nil ? batch : "\(batch).p\(part.shard ?? 0)"
                let header = EnvelopeHeader(id: id, type: IngestBatch.messageType, source: source, correlationId: batch)
                try VerdictTracker.expectPart(db, messageID: id, batch: batch, part: part.shard ?? 0)
                try MessageStore.enqueue(db, header: header, body: try IngestBatch.encode(meta: meta, records: part.records), shard: part.shard)
            }
            return nil
        }
        if let earlier {
            logger.info("already delivered; not stored again", metadata: ["channel": "\(channel)", "batch": "\(earlier)"])
            return .alreadyDelivered(batch: earlier)
        }
        metrics.batches.increment()
        metrics.records.increment(by: Int64(records.count))
        logger.info(
            "batch stored",
            metadata: ["message_id": "\(batch)", "entity": "\(entity.rawValue)", "records": "\(records.count)", "channel": "\(channel)"])
        if let verdict = await verdicts.awaitVerdict(of: batch, milliseconds: verdictTimeoutMilliseconds, send: publisher.notify) {
            return .stored(verdict)
        }
        return .stored(BatchVerdict(batch: batch, entity: entity, status: .queued, received: records.count))
    }
}

import CarbonModel
import Collecting
import Foundation
import GRDB
import Logging
import Messaging

/// Why a batch was refused as a whole (nothing in it was stored).
struct IngestError: Error, CustomStringConvertible {
    var status: Int
    var description: String
}

/// Receives batches from HTTP and from the ZeroMQ ingest endpoint: frames the body into
/// records, stores the batch as received together with its outbox message in one transaction,
/// and waits (briefly) for the preprocessor's verdict to answer the sender.
struct IngestService: Sendable {
    let database: DatabasePool
    let publisher: OutboxPublisher
    let board: VerdictBoard
    let source: MessageSource
    let verdictTimeoutMilliseconds: Int
    let logger: Logger
    let metrics: CollectorMetrics

    func ingest(body: Data, format: BatchFormat, entity: IngestEntity, channel: String) async throws -> BatchVerdict {
        switch try await ingest(body: body, format: format, entity: entity, channel: channel, deliveryKey: nil) {
        case .stored(let verdict): return verdict
        case .alreadyDelivered(let batch):  // cannot happen without a key; answer as for a stored batch
            return BatchVerdict(batch: batch, entity: entity, status: .queued, received: 0)
        }
    }

    /// Stores a batch; with a `deliveryKey`, records the key in the same transaction and stores
    /// nothing when the key was recorded before (a file already ingested, even before a restart).
    func ingest(body: Data, format: BatchFormat, entity: IngestEntity, channel: String, deliveryKey: String?) async throws
        -> DeliveryOutcome
    {
        let records: [RawRecord]
        do {
            records = try BatchFraming.records(in: body, format: format)
        } catch {
            throw IngestError(status: 400, description: "could not read the \(format.rawValue) body: \(error)")
        }
        if records.isEmpty { throw IngestError(status: 400, description: "the body holds no records") }
        let meta = IngestBatchMeta(batch: MessageID.make(), entity: entity, format: format, positions: records.map(\.position))
        let header = EnvelopeHeader(id: meta.batch, type: IngestBatch.messageType, source: source, correlationId: meta.batch)
        let message = IngestBatch.encode(meta: meta, records: records)
        let earlier: String? = try await database.write { db in
            if let deliveryKey {
                if let earlier = try CollectorStore.deliveredBatch(db, key: deliveryKey) { return earlier }
                try CollectorStore.recordDelivery(db, key: deliveryKey, batch: meta.batch, source: channel)
            }
            try CollectorStore.insertBatch(db, meta: meta, channel: channel, body: body, recordCount: records.count)
            try MessageStore.enqueue(db, header: header, body: message)
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
            metadata: ["message_id": "\(meta.batch)", "entity": "\(entity.rawValue)", "records": "\(records.count)", "channel": "\(channel)"])
        await board.expect(meta.batch)
        publisher.notify()
        if let verdict = await board.wait(for: meta.batch, milliseconds: verdictTimeoutMilliseconds) { return .stored(verdict) }
        return .stored(BatchVerdict(batch: meta.batch, entity: entity, status: .queued, received: records.count))
    }

    /// Called once the acknowledgements' transaction committed: wakes the waiting senders.
    func acknowledged(_ acks: [Acknowledgement]) async {
        for ack in acks {
            guard let verdict = try? JSONDecoder().decode(BatchVerdict.self, from: ack.result) else { continue }
            await board.resolve(batch: verdict.batch, verdict: verdict)
        }
    }
}

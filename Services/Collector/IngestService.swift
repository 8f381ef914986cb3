import CarbonModel
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
        try await database.write { db in
            try CollectorStore.insertBatch(db, meta: meta, channel: channel, body: body, recordCount: records.count)
            try MessageStore.enqueue(db, header: header, body: message)
        }
        metrics.batches.increment()
        metrics.records.increment(by: Int64(records.count))
        logger.info(
            "batch stored",
            metadata: ["message_id": "\(meta.batch)", "entity": "\(entity.rawValue)", "records": "\(records.count)", "channel": "\(channel)"])
        await board.expect(meta.batch)
        publisher.notify()
        if let verdict = await board.wait(for: meta.batch, milliseconds: verdictTimeoutMilliseconds) { return verdict }
        return BatchVerdict(batch: meta.batch, entity: entity, status: .queued, received: records.count)
    }

    /// Called once the acknowledgements' transaction committed: wakes the waiting senders.
    func acknowledged(_ acks: [Acknowledgement]) async {
        for ack in acks {
            guard let verdict = try? JSONDecoder().decode(BatchVerdict.self, from: ack.result) else { continue }
            await board.resolve(batch: verdict.batch, verdict: verdict)
        }
    }
}

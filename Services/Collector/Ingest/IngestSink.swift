import Collecting
import Foundation

/// Compiled-in sources deliver through the same path as HTTP and ZeroMQ requests: the batch is
/// stored with its outbox message in one transaction and the preprocessor's verdict comes back.
extension IngestService: BatchSink {
    func deliver(_ batch: CollectedBatch) async throws -> DeliveryOutcome {
        do {
            return try await ingest(
                body: batch.body, format: batch.format, entity: batch.entity, channel: "source:\(batch.source)",
                deliveryKey: batch.deliveryKey)
        } catch let error as IngestError {
            throw BatchRefused(status: Int(error.status.code), reason: error.description)
        }
    }
}

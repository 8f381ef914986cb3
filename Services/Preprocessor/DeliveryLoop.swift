import CarbonModel
import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import ServiceKit

/// Applies each batch delivered from the collector once (``Inbox``): inbox id, quarantine,
/// records and outbox in one transaction, acknowledged with the verdict after the commit.
struct DeliveryLoop: Sendable {
    let database: DatabasePool
    let subscriber: InboxSubscriber
    let publisher: OutboxPublisher
    let processor: BatchProcessor
    let metrics: ServiceMetrics
    let logger: Logger

    func run() async throws {
        var registry = try await database.read { try PreprocessorStore.loadRegistry($0) }
        let encoder = JSONEncoder()
        for await delivery in subscriber.deliveries {
            var logger = self.logger
            logger[metadataKey: "message_id"] = "\(delivery.header.id)"
            do {
                let snapshot = registry
                let outcome = try await Inbox.process(delivery, in: database) { db -> (value: (BatchVerdict, Registry), result: Data) in
                    var working = snapshot
                    let verdict = try processor.process(db, header: delivery.header, body: delivery.body, registry: &working)
                    return ((verdict, working), try encoder.encode(verdict))
                }
                publisher.notify()
                metrics.inboxProcessed.increment()
                if case let (verdict, updated)? = outcome.value {
                    registry = updated
                    metrics.recordsProcessed.increment(by: Int64(verdict.received))
                    metrics.recordsRejected.increment(by: Int64(verdict.rejected.count))
                    logger.info(
                        "batch processed",
                        metadata: [
                            "entity": "\(verdict.entity.rawValue)", "accepted": "\(verdict.accepted)", "repeats": "\(verdict.repeats)",
                            "revisions": "\(verdict.revisions)", "rejected": "\(verdict.rejected.count)",
                        ])
                } else {
                    logger.debug("duplicate delivery acknowledged again")
                }
            } catch {
                // Not acknowledged: the collector re-sends it after the lease, and nothing was committed.
                metrics.errors.increment()
                logger.error("could not apply batch; it will be re-sent", metadata: ["error": "\(error)"])
            }
        }
    }
}

import CarbonModel
import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import ServiceKit

/// Applies each region-month publication from the calculator to the ledger, once
/// (``Inbox``: in one transaction with its inbox id, acknowledged after the commit).
struct ReporterDeliveryLoop: Sendable {
    let database: DatabasePool
    let subscriber: UpstreamSubscriptions
    let metrics: ServiceMetrics
    let logger: Logger

    func run() async throws {
        let decoder = JSONDecoder()
        for await delivery in subscriber.deliveries {
            var logger = self.logger
            logger[metadataKey: "message_id"] = "\(delivery.header.id)"
            do {
                let outcome = try await Inbox.process(delivery, in: database) { db -> (value: Bool, result: Data) in
                    guard delivery.header.type == RegionMonthPublication.messageType else { return (false, Data()) }
                    let publication = try decoder.decode(RegionMonthPublication.self, from: delivery.body)
                    guard publication.isLastPage else {
                        // Kept until the last page of its version applies them all at once.
                        _ = try StagedPages.stage(db, publication, body: delivery.body)
                        return (false, Data())
                    }
                    let applied = try LedgerStore.apply(db, publication)
                    if applied { try ReportFactorStore.record(db, publication) }
                    return (applied, Data())
                }
                metrics.inboxProcessed.increment()
                logger.debug(
                    "publication received", metadata: ["applied": "\(outcome.value ?? false)", "correlation_id": "\(delivery.header.correlationId ?? "")"])
            } catch {
                metrics.errors.increment()
                logger.error("could not apply publication; it will be re-sent", metadata: ["error": "\(error)"])
            }
        }
    }
}

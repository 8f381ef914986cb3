import CarbonModel
import Foundation
import GRDB
import Logging
import Messaging
import ServiceKit

/// Applies each region-month publication from the calculator to the ledger, in one
/// transaction with its inbox id, and acknowledges after the commit.
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
                let applied = try await database.write { db -> Bool in
                    if try MessageStore.processedResult(db, messageID: delivery.header.id) != nil { return false }
                    var applied = false
                    if delivery.header.type == RegionMonthPublication.messageType {
                        let publication = try decoder.decode(RegionMonthPublication.self, from: delivery.body)
                        if publication.isLastPage {
                            applied = try LedgerStore.apply(db, publication)
                            if applied { try ReportFactorStore.record(db, publication) }
                        } else {
                            // Kept until the last page of its version applies them all at once.
                            _ = try StagedPages.stage(db, publication, body: delivery.body)
                        }
                    }
                    try MessageStore.recordProcessed(db, header: delivery.header, result: Data())
                    return applied
                }
                delivery.acknowledge(Data())
                metrics.inboxProcessed.increment()
                logger.debug("publication received", metadata: ["applied": "\(applied)", "correlation_id": "\(delivery.header.correlationId ?? "")"])
            } catch {
                metrics.errors.increment()
                logger.error("could not apply publication; it will be re-sent", metadata: ["error": "\(error)"])
            }
        }
    }
}

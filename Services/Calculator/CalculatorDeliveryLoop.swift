import CarbonModel
import Contracts
import Foundation
import GRDB
import Logging
import Messaging
import ServiceKit

/// Applies normalized records, retractions and registry updates from the preprocessors, each
/// message once (``Inbox``: in one transaction with its inbox id, acknowledged after the commit).
struct CalculatorDeliveryLoop: Sendable {
    let database: DatabasePool
    let subscriber: UpstreamSubscriptions
    let metrics: ServiceMetrics
    let logger: Logger

    func run() async throws {
        var ledger = RecordLedger()
        let decoder = JSONDecoder()
        for await delivery in subscriber.deliveries {
            var logger = self.logger
            logger[metadataKey: "message_id"] = "\(delivery.header.id)"
            do {
                let working = ledger
                let outcome = try await Inbox.process(delivery, in: database) { db -> (value: (RecordLedger, String), result: Data) in
                    var ledger = working
                    let summary: String
                    switch delivery.header.type {
                    case NormalizedActivity.messageType:
                        let records = try NormalizedRecord.decodeArray(delivery.body)
                        let (applied, stale) = try ledger.apply(db, records: records)
                        metrics.recordsProcessed.increment(by: Int64(applied))
                        summary = "applied \(applied) records, \(stale) stale"
                    case RecordRetraction.messageType:
                        let retractions = try decoder.decode([RecordRetraction].self, from: delivery.body)
                        let withdrawn = try ledger.retract(db, retractions)
                        summary = "withdrew \(withdrawn) records moved to another calculator's partition"
                    case RegistryUpdate.messageType:
                        let update = try decoder.decode(RegistryUpdate.self, from: delivery.body)
                        try ledger.apply(db, update: update)
                        summary = "registry: \(update.sites.count) sites, \(update.products.count) products, \(update.factors.count) factors"
                    default:
                        summary = "ignored unknown message type \(delivery.header.type)"
                    }
                    return ((ledger, summary), Data())
                }
                if case let (updated, summary)? = outcome.value {
                    ledger = updated
                    logger.debug("message applied", metadata: ["summary": "\(summary)"])
                } else {
                    logger.debug("duplicate delivery acknowledged again")
                }
                metrics.inboxProcessed.increment()
            } catch {
                ledger.reset()
                metrics.errors.increment()
                logger.error("could not apply message; it will be re-sent", metadata: ["error": "\(error)"])
            }
        }
    }
}

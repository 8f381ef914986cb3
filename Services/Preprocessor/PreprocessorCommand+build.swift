import ArgumentParser
import CarbonModel
import Contracts
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle
import UnixSignals

extension PreprocessorCommand {
    /// The preprocessor, assembled from these options: its store, its link to the collector
    /// (in) and the calculators (out), the delivery loop that checks every batch, and its HTTP
    /// routes. Nil when the process was asked to stop while standing by for a shard. `main`
    /// runs it with signal handlers; in-process tests without (`signals: []`).
    func buildPreprocessor(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> ServiceShell? {
        guard
            let stage = try await StageStartup.begin(
                service: "preprocessor", common: common, sharding: sharding, httpPort: httpPort, controlPort: controlPort,
                requireAuth: authLink.requireAuth)
        else { return nil }
        let placement = stage.placement, instance = stage.instance, shard = stage.shard, replica = stage.replica
        let logger = stage.logger, runtime = stage.runtime, curve = stage.curve, serverSecurity = stage.serverSecurity, control = stage.control
        let database = try ServiceStore.open(path: placement.storePath, migrations: { PreprocessorMigrations.register(&$0) })
        let metrics = stage.metrics(service: "preprocessor")
        let quarantined = metrics.gauge("carbonmeter_quarantine_records", help: "Records held in quarantine")
        let source = MessageSource(service: "preprocessor", instance: instance)
        let publisher = OutboxPublisher(
            loop: runtime.loop, endpoint: common.bindEndpoint(port: outboxPort), database: database, logger: logger, security: serverSecurity)
        let subscriber = InboxSubscriber(
            loop: runtime.loop, endpoint: collectorOutbox, instance: instance, credits: credits, shard: shard, logger: logger,
            security: try curve?.client(of: "collector") ?? .plain)
        let status: @Sendable () async -> StatusReport = {
            let counts: (Int, Int, Int)
            do {
                counts = try await database.read { db in
                    (try MessageStore.outboxCount(db), try MessageStore.inboxCount(db), try PreprocessorStore.quarantineCount(db))
                }
            } catch {
                // Reported unhealthy; the log says why.
                logger.error("status: could not read the store", metadata: ["error": "\(error)"])
                return StatusReport(service: "preprocessor", instance: instance, healthy: false)
            }
            metrics.outboxPending.set(to: Double(counts.0))
            quarantined.set(to: Double(counts.2))
            return StatusReport(
                service: "preprocessor", instance: instance, outboxPending: counts.0, inboxProcessed: counts.1,
                details: [
                    "quarantined": "\(counts.2)", "upstream": collectorOutbox, "shard": shard.map(String.init) ?? "all",
                    "replica": replica, "role": "active",
                ])
        }
        let authSetup = try await authLink.startAuthenticator(
            loop: runtime.loop, source: source, service: "preprocessor", logger: logger, database: database, curve: curve)
        let authenticator = authSetup.authenticator
        do {
            try await publisher.start()
            try await subscriber.start()
        } catch {
            throw ServiceStartupError("preprocessor could not open its ZeroMQ endpoints: \(error)")
        }
        control.activate(
            status: status,
            handlers: TenantPrivacyHandlers.make(service: "preprocessor", database: database, keeper: TenantRecordKeeper(), authenticator: authenticator))
        let deliveries = DeliveryLoop(
            database: database, subscriber: subscriber, publisher: publisher, processor: BatchProcessor(source: source, calculatorShards: max(1, calculatorShards)),
            metrics: metrics, logger: logger)

        let router = Router(context: ServiceRequestContext.self)
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        let api = router.group().add(middleware: AuthenticationMiddleware(RouteGuard(authenticator: authenticator)))
        BackupRoutes.add(to: api, database: database, dataDir: common.dataDir, instance: instance)
        QuarantineRoutes.add(to: api, database: database)
        return ServiceShell(
            name: "preprocessor", runtime: runtime,
            workers: [
                WorkerService(name: "acknowledgements", onShutdown: { publisher.finish() }) { await publisher.runAcknowledgements() },
                WorkerService(name: "deliveries", onShutdown: { subscriber.finish() }) { try await deliveries.run() },
            ] + (authSetup.worker.map { [$0] } ?? []),
            router: router, host: common.httpHost, port: httpPort, signals: signals, logger: logger, keepAlive: placement.lock)
    }
}

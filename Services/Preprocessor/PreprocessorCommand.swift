import ArgumentParser
import Foundation
import GRDB
import Hummingbird
import Messaging
import ServiceKit
import ServiceLifecycle

/// The preprocessor: validates and normalizes what the collector received, keeps the hourly
/// series and the quarantine, and passes normalized records and declarations to the calculator.
@main
struct PreprocessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocessor",
        abstract: "CarbonMeter preprocessor: validation, unit normalization, de-duplication, hourly series, quarantine.",
        discussion: "HTTP: GET /v1/quarantine[?batch=ID&limit=N&offset=N]; GET /health; GET /metrics.")

    @OptionGroup var common: CommonOptions
    @Option(help: "HTTP port (env CM_PREPROCESSOR_HTTP_PORT).")
    var httpPort: Int = Env.int("CM_PREPROCESSOR_HTTP_PORT", Topology.preprocessorHTTP)
    @Option(help: "The collector's outbox endpoint to pull batches from (env CM_COLLECTOR_OUTBOX).")
    var collectorOutbox: String = Env.string("CM_COLLECTOR_OUTBOX", Topology.local(Topology.collectorOutbox))
    @Option(help: "Port of this preprocessor's outbox, pulled by calculators (env CM_PREPROCESSOR_OUTBOX_PORT).")
    var outboxPort: Int = Env.int("CM_PREPROCESSOR_OUTBOX_PORT", Topology.preprocessorOutbox)
    @Option(help: "Port of the control endpoint (env CM_PREPROCESSOR_CONTROL_PORT).")
    var controlPort: Int = Env.int("CM_PREPROCESSOR_CONTROL_PORT", Topology.preprocessorControl)
    /// Shards of records, split by the collector's --preprocessor-shards.
    @OptionGroup var sharding: ShardOptions
    @Option(help: "Number of calculator replicas; records go to the one owning their region (env CM_CALCULATOR_SHARDS).")
    var calculatorShards: Int = Env.int("CM_CALCULATOR_SHARDS", 1)
    @Option(help: "Batches held unacknowledged at a time (env CM_PREPROCESSOR_CREDITS).")
    var credits: Int = Env.int("CM_PREPROCESSOR_CREDITS", 4)
    @OptionGroup var authLink: AuthLinkOptions

    func run() async throws {
        HealthProbe.exitIfRequested(common, port: httpPort)
        guard
            let stage = try await StageStartup.begin(
                service: "preprocessor", common: common, sharding: sharding, httpPort: httpPort, controlPort: controlPort,
                requireAuth: authLink.requireAuth)
        else { return }
        let placement = stage.placement, instance = stage.instance, shard = stage.shard, replica = stage.replica
        let logger = stage.logger, runtime = stage.runtime, curve = stage.curve, serverSecurity = stage.serverSecurity, control = stage.control
        let database = try ServiceStore.open(path: placement.storePath, migrations: {
            PreprocessorStore.migrations(&$0)
            AuditOutbox.migrations(&$0)
        })
        let metrics = stage.metrics(service: "preprocessor")
        let quarantined = metrics.gauge("carbonmeter_quarantine_records", help: "Records held in quarantine")
        let source = MessageSource(service: "preprocessor", instance: instance)
        let publisher = OutboxPublisher(
            loop: runtime.loop, endpoint: common.bindEndpoint(port: outboxPort), database: database, logger: logger, security: serverSecurity)
        let subscriber = InboxSubscriber(
            loop: runtime.loop, endpoint: collectorOutbox, instance: instance, credits: credits, shard: shard, logger: logger,
            security: try curve?.client(of: "collector") ?? .plain)
        let status: @Sendable () async -> StatusReport = {
            let counts = try? await database.read { db in
                (try MessageStore.outboxCount(db), try MessageStore.inboxCount(db), try PreprocessorStore.quarantineCount(db))
            }
            guard let counts else { return StatusReport(service: "preprocessor", instance: instance, healthy: false) }
            metrics.outboxPending.set(to: Double(counts.0))
            quarantined.set(to: Double(counts.2))
            return StatusReport(
                service: "preprocessor", instance: instance, outboxPending: counts.0, inboxProcessed: counts.1,
                details: [
                    "quarantined": "\(counts.2)", "upstream": collectorOutbox, "shard": shard.map(String.init) ?? "all",
                    "replica": replica, "role": "active",
                ])
        }
        let authSetup = try await AuthenticatorSetup.start(
            requireAuth: authLink.requireAuth, loop: runtime.loop, authEndpoint: authLink.authEndpoint, source: source, service: "preprocessor", logger: logger,
            revocationPollMilliseconds: authLink.revocationPollMs, database: database, security: try curve?.client(of: "auth") ?? .plain)
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

        let access = RouteGuard(authenticator: authenticator)
        let router = Router()
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        BackupRoutes.add(to: router, database: database, dataDir: common.dataDir, instance: instance, access: access)
        QuarantineRoutes.add(to: router, database: database, access: access)
        let app = Application(
            router: router, configuration: .init(address: .hostname(common.httpHost, port: httpPort), serverName: "carbonmeter-preprocessor"),
            onServerRunning: { _ in logger.info("preprocessor ready", metadata: ["http": "\(common.httpHost):\(httpPort)"]) },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    runtime,
                    WorkerService(name: "acknowledgements", onShutdown: { publisher.finish() }) { await publisher.runAcknowledgements() },
                    WorkerService(name: "deliveries", onShutdown: { subscriber.finish() }) { try await deliveries.run() },
                ] + (authSetup.worker.map { [$0] } ?? []) + [app],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        withExtendedLifetime(placement.lock) {}
    }
}

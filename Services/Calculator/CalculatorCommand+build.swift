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

extension CalculatorCommand {
    /// The calculator, assembled from these options: its store, its links to the preprocessors
    /// (in) and the reporter (out), the recalculation loop and its HTTP routes. Nil when the
    /// process was asked to stop while standing by for a shard. `main` runs it with signal
    /// handlers; in-process tests without (`signals: []`), stopping it with a graceful shutdown.
    func buildCalculator(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> ServiceShell? {
        guard
            let stage = try await StageStartup.begin(
                service: "calculator", common: common, sharding: sharding, httpPort: httpPort, controlPort: controlPort,
                requireAuth: authLink.requireAuth)
        else { return nil }
        let placement = stage.placement, instance = stage.instance, shard = stage.shard, replica = stage.replica
        let partition = try Self.partition(shard: shard, declared: sharding.declaredCount)
        let logger = stage.logger, runtime = stage.runtime, curve = stage.curve, serverSecurity = stage.serverSecurity, control = stage.control
        let database = try ServiceStore.open(path: placement.storePath, migrations: { CalculatorMigrations.register(&$0) })
        let metrics = stage.metrics(service: "calculator")
        let dirtyGauge = metrics.gauge("carbonmeter_calculator_dirty_region_months", help: "Region-months waiting for recalculation")
        let source = MessageSource(service: "calculator", instance: instance)
        let publisher = OutboxPublisher(
            loop: runtime.loop, endpoint: common.bindEndpoint(port: outboxPort), database: database, logger: logger, security: serverSecurity)
        let subscriber = try UpstreamSubscriptions(
            loop: runtime.loop, endpoints: preprocessorOutbox, instance: instance, shard: shard, logger: logger,
            security: try curve?.client(of: "preprocessor") ?? .plain)
        let status: @Sendable () async -> StatusReport = {
            let counts: (Int, Int, Int, [String])
            do {
                counts = try await database.read { db in
                    (
                        try MessageStore.outboxCount(db), try MessageStore.inboxCount(db), try CalculatorStore.dirtyCount(db),
                        try CalculationFailures.list(db)
                    )
                }
            } catch {
                // Reported unhealthy; the log says why.
                logger.error("status: could not read the store", metadata: ["error": "\(error)"])
                return StatusReport(service: "calculator", instance: instance, healthy: false)
            }
            metrics.outboxPending.set(to: Double(counts.0))
            dirtyGauge.set(to: Double(counts.2))
            return StatusReport(
                service: "calculator", instance: instance, outboxPending: counts.0, inboxProcessed: counts.1, pendingWork: counts.2,
                details: [
                    "dirty_region_months": "\(counts.2)", "upstream": preprocessorOutbox, "shard": shard.map(String.init) ?? "all",
                    "partition": "\(partition)",
                    "replica": replica, "role": "active", "failed_region_months": "\(counts.3.count)",
                ].merging(counts.3.isEmpty ? [:] : ["failures": counts.3.prefix(20).joined(separator: "; ")]) { a, _ in a })
        }
        let authSetup = try await authLink.startAuthenticator(
            loop: runtime.loop, source: source, service: "calculator", logger: logger, database: database, curve: curve)
        let authenticator = authSetup.authenticator
        do {
            try await publisher.start()
            try await subscriber.start()
        } catch {
            throw ServiceStartupError("calculator could not open its ZeroMQ endpoints: \(error)")
        }
        control.activate(
            status: status,
            handlers: TenantPrivacyHandlers.make(service: "calculator", database: database, keeper: TenantLedgerRename(), authenticator: authenticator))
        guard let gwp = GWPSet(rawValue: gwpSet.uppercased()) else {
            throw ServiceStartupError("--gwp-set must be AR5 or AR6 (got \"\(gwpSet)\")")
        }
        let defaultFactors = DefaultFactorLibrary.factors(gwpSet: gwp)
        guard let boundary = MarketBoundary(rawValue: marketBoundary) else {
            throw ServiceStartupError("--market-boundary must be hourly or both (got \"\(marketBoundary)\")")
        }
        guard maxGapHours >= 0, hampelHalfWindow >= 1, outlierThreshold > 0, outlierMinRelativeMad >= 0 else {
            throw ServiceStartupError(
                "data quality: --max-gap-hours must be ≥ 0, --hampel-half-window ≥ 1, --outlier-threshold > 0 and --outlier-min-relative-mad ≥ 0")
        }
        let quality = DataQualitySettings(
            outliers: OutlierPolicy(threshold: outlierThreshold, halfWindow: hampelHalfWindow, minimumRelativeMAD: outlierMinRelativeMad),
            maxGapHours: maxGapHours)
        let deliveries = CalculatorDeliveryLoop(database: database, subscriber: subscriber, metrics: metrics, logger: logger)
        let recalculator = Recalculator(
            database: database, publisher: publisher, source: source, settleMilliseconds: Int64(settleMs),
            maxWaitMilliseconds: Int64(maxWaitMs), metrics: metrics, logger: logger, defaultFactors: defaultFactors, quality: quality,
            pageCells: pageCells, partition: partition, marketBoundary: boundary)
        logger.info("calculator partition", metadata: ["partition": "\(partition)", "shard": "\(shard.map(String.init) ?? "all")"])

        let router = Router(context: ServiceRequestContext.self)
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        let api = router.group().add(middleware: AuthenticationMiddleware(RouteGuard(authenticator: authenticator)))
        BackupRoutes.add(to: api, database: database, dataDir: common.dataDir, instance: instance)
        FactorRoutes.add(to: api, database: database, defaults: defaultFactors)
        LineageRoutes.add(to: api, database: database, defaults: defaultFactors, quality: quality)
        CertificateRoutes.add(to: api, database: database, marketBoundary: boundary)
        return ServiceShell(
            name: "calculator", runtime: runtime,
            workers: [
                WorkerService(name: "acknowledgements", onShutdown: { publisher.finish() }) { await publisher.runAcknowledgements() },
                WorkerService(name: "recalculation") { try await cancelWhenGracefulShutdown { try await recalculator.run() } },
                WorkerService(name: "deliveries", onShutdown: { subscriber.finish() }) { try await deliveries.run() },
            ] + (authSetup.worker.map { [$0] } ?? []),
            router: router, host: common.httpHost, port: httpPort, signals: signals, logger: logger, keepAlive: placement.lock)
    }
}

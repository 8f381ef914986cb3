import AccessControl
import ArgumentParser
import CarbonModel
import Collecting
import Contracts
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle
import UnixSignals

extension CollectorCommand {
    /// The collector, assembled from these options: its store, the HTTP and ZeroMQ ingest
    /// doors with their gate, the configured sources, its outbox to the preprocessors, and its
    /// HTTP routes. `main` runs it with signal handlers; in-process tests without
    /// (`signals: []`), stopping it with a graceful shutdown.
    func buildCollector(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> ServiceShell {
        let instance = common.instanceName(service: "collector")
        let logger = ServiceLogging.bootstrap(service: "collector", instance: instance, level: common.logLevel)
        let ingestListener = ExposureRule.Listener(
            name: "ZeroMQ ingest (--bind-host)", host: common.bindHost,
            curve: ExposureRule.Curve(on: ingestCurve && !common.curveDir.isEmpty, flag: "CURVE on ingest: --ingest-curve (env CM_INGEST_CURVE=1)"))
        try ExposureGuard.enforce(service: "collector", common: common, requireAuth: requireAuth, extra: [ingestListener], logger: logger)
        var configuration = SourcesConfiguration()
        if !sources.isEmpty {
            do { configuration = try SourcesConfiguration.load(path: sources) } catch { throw ServiceStartupError(error.description) }
        }
        let database = try ServiceStore.open(path: common.storePath(service: "collector"), migrations: { CollectorMigrations.register(&$0) })
        let verdicts = VerdictTracker(database: database, logger: logger)
        var configured: [any Collector] = []
        configured += configuration.exec.map { ExecPluginCollector(configuration: $0, logger: logger) }
        configured += configuration.fileDrop.map { FileDropCollector(configuration: $0, logger: logger) }
        configured += configuration.billingExport.compactMap { billing in
            configuration.mappings[billing.name].map {
                BillingExportCollector(configuration: billing, mapping: $0, database: database, verdicts: verdicts, logger: logger)
            }
        }
        configured += configuration.prometheus.map { PrometheusScrapeCollector(configuration: $0, logger: logger) }
        let collectors = configured
        let metrics = ServiceMetrics(service: "collector", instance: instance)
        let source = MessageSource(service: "collector", instance: instance)
        let curve = try common.curve(service: "collector")
        if ingestCurve && curve == nil { throw ServiceStartupError("--ingest-curve needs --curve-dir (CM_CURVE_DIR)") }
        let runtime = try MessagingRuntime(name: "collector", logger: logger, curve: curve)
        let serverSecurity = curve?.server ?? .plain

        let publisher = OutboxPublisher(
            loop: runtime.loop, endpoint: common.bindEndpoint(port: outboxPort), database: database, logger: logger, security: serverSecurity)
        var ingest = IngestService(
            database: database, publisher: publisher, verdicts: verdicts, source: source,
            verdictTimeoutMilliseconds: verdictTimeoutMs, preprocessorShards: max(1, preprocessorShards), maxBacklog: max(1, maxBacklog),
            logger: logger,
            metrics: CollectorMetrics(metrics), throttle: IngestThrottle(limit: IngestRateLimit(recordsPerSecond: ingestRate, burst: ingestBurst)))
        let status: @Sendable () async -> StatusReport = {
            let pending: Int
            do { pending = try await database.read { try MessageStore.outboxCount($0) } } catch {
                // Reported unhealthy; the log says why.
                logger.error("status: could not read the store", metadata: ["error": "\(error)"])
                metrics.outboxPending.set(to: -1)
                return StatusReport(service: "collector", instance: instance, healthy: false, outboxPending: 0)
            }
            metrics.outboxPending.set(to: Double(pending))
            return StatusReport(service: "collector", instance: instance, healthy: true, outboxPending: pending)
        }
        do {
            try await publisher.start()
        } catch {
            throw ServiceStartupError("collector could not open its ZeroMQ endpoints: \(error)")
        }

        var keyCheck = KeyCheck(auth: nil)
        var authenticator: Authenticator?
        var auditOutbox: AuditOutbox?
        if requireApiKey || requireAuth {
            let auth = RequestClient(
                loop: runtime.loop, endpoint: authEndpoint, source: source, security: try curve?.client(of: "auth") ?? .plain, logger: logger)
            try await auth.start()
            keyCheck = KeyCheck(auth: auth)
            // Every accepted batch and every denial goes to auth's audit chain through this outbox.
            let outbox = AuditOutbox(database: database, auth: auth, logger: logger)
            auditOutbox = outbox
            ingest.audit = true
            if requireAuth {
                let verifier = Authenticator(
                    auth: auth, service: "collector", logger: logger, pollMilliseconds: max(50, revocationPollMs),
                    denials: AuditOutbox.denialSink(outbox, logger: logger))
                verifier.start()
                authenticator = verifier
                logger.info("tokens or API keys required on ingest, roles checked", metadata: ["auth": "\(authEndpoint)"])
            } else {
                logger.info("API keys required on ingest", metadata: ["auth": "\(authEndpoint)"])
            }
        }
        let gate = IngestGate(keyCheck: keyCheck, authenticator: authenticator)
        do {
            _ = try await ControlEndpoint.start(
                loop: runtime.loop, endpoint: common.bindEndpoint(port: controlPort), source: source, logger: logger, security: serverSecurity,
                status: status,
                handlers: TenantPrivacyHandlers.make(service: "collector", database: database, keeper: TenantBatchKeeper(), authenticator: authenticator))
        } catch {
            throw ServiceStartupError("collector could not open its control endpoint: \(error)")
        }
        let ingestService = ingest
        do {
            _ = try await ZeroMQIngestEndpoint.start(
                loop: runtime.loop, endpoint: common.bindEndpoint(port: ingestPort), source: source, logger: logger, ingest: ingestService,
                gate: gate, maxBodyBytes: maxBodyBytes, security: ingestCurve ? serverSecurity : .plain)
        } catch {
            throw ServiceStartupError("collector could not open its ZeroMQ ingest endpoint: \(error)")
        }
        let router = Router(context: ServiceRequestContext.self)
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        let api = router.group().add(middleware: AuthenticationMiddleware(RouteGuard(authenticator: authenticator)))
        BackupRoutes.add(to: api, database: database, dataDir: common.dataDir, instance: instance)
        CollectorRoutes.addVerdicts(to: api, verdicts: verdicts)
        // Ingest has a guard of its own: the same identification as the ZeroMQ ingest endpoint.
        let ingestRoutes = router.group().add(middleware: AuthenticationMiddleware(gate.routeGuard))
        CollectorRoutes.addIngest(to: ingestRoutes, ingest: ingestService, maxBodyBytes: maxBodyBytes, gate: gate)
        CollectorRoutes.addFactorSeries(to: ingestRoutes, ingest: ingestService, maxBodyBytes: maxBodyBytes, gate: gate)
        let board = SourceHealthBoard()
        for collector in collectors { await board.register(collector.name, kind: collector.kind) }
        let sourceMetrics = SourceMetrics(
            metrics: metrics, service: "collector", instance: instance, sources: collectors.map { ($0.name, $0.kind) })
        SourceRoutes.add(to: api, board: board, metrics: sourceMetrics)
        BillingExportRoutes.add(
            to: api, sources: configuration.billingExport.filter { configuration.mappings[$0.name] != nil }, board: board, database: database,
            maxExportBytes: maxExportBytes, logger: logger)
        let sourceRunner = WorkerService(name: "sources") {
            await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Void.self) { group in
                    for collector in collectors {
                        logger.info("source started", metadata: ["source": "\(collector.name)", "kind": "\(collector.kind)"])
                        group.addTask { await collector.run(into: ingestService, health: board) }
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            sourceMetrics.update(await board.snapshot())
                            // Fails only when cancelled, which ends the loop at its check.
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
            }
        }
        let acknowledgements = WorkerService(name: "acknowledgements", onShutdown: { publisher.finish() }) {
            await verdicts.recordAcknowledgements(from: publisher)
        }
        return ServiceShell(
            name: "collector", runtime: runtime,
            workers: [acknowledgements, sourceRunner] + (AuthenticatorSetup(auditOutbox: auditOutbox).worker.map { [$0] } ?? []),
            router: router, host: common.httpHost, port: httpPort, signals: signals, logger: logger)
    }
}

import AccessControl
import ArgumentParser
import CarbonModel
import Collecting
import Foundation
import GRDB
import Hummingbird
import Logging
import Messaging
import ServiceKit
import ServiceLifecycle
import Synchronization

/// The collector: receives activity records and declarations over HTTP and over the ZeroMQ
/// ingest endpoint, keeps every batch as received, and hands it on through its outbox.
@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "CarbonMeter collector: ingest activity records, sites, products and factors.",
        discussion: """
            HTTP: POST /v1/activity, /v1/sites, /v1/products, /v1/factors with a JSON array, NDJSON or CSV body;
            GET /v1/batches/{id}; GET /v1/sources; GET /health; GET /metrics.
            Compiled-in sources (exec plugins, watched folders, billing exports, Prometheus scrapes) are configured in a JSON file given with --sources
            (see docs/collectors.md).
            ZeroMQ ingest: requests of type ingest.<entity>.v1 on --ingest-port (see docs/ingest-protocol.md).
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "HTTP port (env CM_COLLECTOR_HTTP_PORT).")
    var httpPort: Int = Env.int("CM_COLLECTOR_HTTP_PORT", Topology.collectorHTTP)
    @Option(help: "ZeroMQ ingest endpoint port for custom collectors (env CM_COLLECTOR_INGEST_PORT).")
    var ingestPort: Int = Env.int("CM_COLLECTOR_INGEST_PORT", Topology.collectorIngest)
    @Option(help: "Port of the outbox the preprocessors pull from (env CM_COLLECTOR_OUTBOX_PORT).")
    var outboxPort: Int = Env.int("CM_COLLECTOR_OUTBOX_PORT", Topology.collectorOutbox)
    @Option(help: "Port of the control endpoint (env CM_COLLECTOR_CONTROL_PORT).")
    var controlPort: Int = Env.int("CM_COLLECTOR_CONTROL_PORT", Topology.collectorControl)
    @Option(help: "Largest accepted request body in bytes (env CM_MAX_BODY_BYTES).")
    var maxBodyBytes: Int = Env.int("CM_MAX_BODY_BYTES", 64 * 1_048_576)
    @Option(help: "How long an ingest request waits for validation before answering 202 (env CM_VERDICT_TIMEOUT_MS).")
    var verdictTimeoutMs: Int = Env.int("CM_VERDICT_TIMEOUT_MS", 10_000)

    @Option(help: "Batches waiting for the preprocessors beyond which ingest answers 503 with Retry-After (env CM_MAX_BACKLOG).")
    var maxBacklog: Int = Env.int("CM_MAX_BACKLOG", 1_000)
    @Option(help: "Number of preprocessor replicas; each owns one shard of the records (env CM_PREPROCESSOR_SHARDS).")
    var preprocessorShards: Int = Env.int("CM_PREPROCESSOR_SHARDS", 1)
    @Flag(inversion: .prefixedNo, help: "Require an API key (verified by auth) on HTTP and ZeroMQ ingest (env CM_REQUIRE_API_KEY=1).")
    var requireApiKey: Bool = Env.bool("CM_REQUIRE_API_KEY", false)
    @Flag(
        inversion: .prefixedNo,
        help: """
            Require an access token (POST /v1/login on auth) or an API key on HTTP and ZeroMQ ingest, and check its role and \
            tenant (env CM_REQUIRE_AUTH=1).
            """)
    var requireAuth: Bool = Env.bool("CM_REQUIRE_AUTH", false)
    @Option(help: "Records per second each credential (API key, user) may send over HTTP and ZeroMQ; 0 = no limit (env CM_INGEST_RATE).")
    var ingestRate: Double = Double(Env.string("CM_INGEST_RATE", "0")) ?? 0
    @Option(help: "Records a credential may send at once above its rate, and the largest batch it may send (env CM_INGEST_BURST).")
    var ingestBurst: Int = Env.int("CM_INGEST_BURST", 10_000)
    @Option(help: "How often to fetch auth's token revocations, in milliseconds (env CM_REVOCATION_POLL_MS).")
    var revocationPollMs: Int = Env.int("CM_REVOCATION_POLL_MS", 1_000)
    @Option(help: "The auth service's request endpoint (env CM_AUTH_ENDPOINT).")
    var authEndpoint: String = Env.string("CM_AUTH_ENDPOINT", Topology.local(Topology.authControl))
    @Flag(
        inversion: .prefixedNo,
        help: """
            Make the ZeroMQ ingest endpoint a CURVE server too (needs --curve-dir): collectors then need a key pair whose .pub \
            is in <curve-dir>/authorized/ and the collector's public key (env CM_INGEST_CURVE=1).
            """)
    var ingestCurve: Bool = Env.bool("CM_INGEST_CURVE", false)
    @Option(help: "JSON file configuring exec plugins, watched folders, billing exports and scrapes (env CM_COLLECTOR_SOURCES); see docs/collectors.md.")
    var sources: String = Env.string("CM_COLLECTOR_SOURCES", "")

    func validate() throws {
        do { try Env.checkSwitches(["CM_REQUIRE_API_KEY", "CM_REQUIRE_AUTH", "CM_INGEST_CURVE"]) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        HealthProbe.exitIfRequested(common, port: httpPort)
        let instance = common.instanceName(service: "collector")
        let logger = ServiceLogging.bootstrap(service: "collector", instance: instance, level: common.logLevel)
        let ingestListener = ExposureRule.Listener(
            name: "ZeroMQ ingest (--bind-host)", host: common.bindHost,
            curve: ExposureRule.Curve(on: ingestCurve && !common.curveDir.isEmpty, flag: "CURVE on ingest: --ingest-curve (env CM_INGEST_CURVE=1)"))
        try ExposureGuard.enforce(service: "collector", common: common, requireAuth: requireAuth, extra: [ingestListener], logger: logger)
        var configured: [any Collector] = []
        if !sources.isEmpty {
            let configuration: SourcesConfiguration
            do { configuration = try SourcesConfiguration.load(path: sources) } catch { throw ServiceStartupError(error.description) }
            configured += configuration.exec.map { ExecPluginCollector(configuration: $0, logger: logger) }
            configured += configuration.fileDrop.map { FileDropCollector(configuration: $0, logger: logger) }
            configured += configuration.billingExport.compactMap { billing in
                configuration.mappings[billing.name].map { BillingExportCollector(configuration: billing, mapping: $0, logger: logger) }
            }
            configured += configuration.prometheus.map { PrometheusScrapeCollector(configuration: $0, logger: logger) }
        }
        let collectors = configured
        let database = try ServiceStore.open(path: common.storePath(service: "collector"), migrations: {
            CollectorStore.migrations(&$0)
            AuditOutbox.migrations(&$0)
        })
        let metrics = ServiceMetrics(service: "collector", instance: instance)
        let source = MessageSource(service: "collector", instance: instance)
        let curve = try common.curve(service: "collector")
        if ingestCurve && curve == nil { throw ServiceStartupError("--ingest-curve needs --curve-dir (CM_CURVE_DIR)") }
        let runtime = try MessagingRuntime(name: "collector", logger: logger, curve: curve)
        let serverSecurity = curve?.server ?? .plain

        let publisher = OutboxPublisher(
            loop: runtime.loop, endpoint: common.bindEndpoint(port: outboxPort), database: database, logger: logger, security: serverSecurity)
        var ingest = IngestService(
            database: database, publisher: publisher, board: VerdictBoard(), source: source,
            verdictTimeoutMilliseconds: verdictTimeoutMs, preprocessorShards: max(1, preprocessorShards), maxBacklog: max(1, maxBacklog),
            logger: logger,
            metrics: CollectorMetrics(metrics), throttle: IngestThrottle(limit: IngestRateLimit(recordsPerSecond: ingestRate, burst: ingestBurst)))
        let status: @Sendable () async -> StatusReport = {
            let pending = (try? await database.read { try MessageStore.outboxCount($0) }) ?? -1
            metrics.outboxPending.set(to: Double(pending))
            return StatusReport(service: "collector", instance: instance, healthy: pending >= 0, outboxPending: max(0, pending))
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
            let auth = RequestClient(loop: runtime.loop, endpoint: authEndpoint, source: source, security: try curve?.client(of: "auth") ?? .plain)
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
        let router = Router()
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        let access = RouteGuard(authenticator: authenticator)
        BackupRoutes.add(to: router, database: database, dataDir: common.dataDir, instance: instance, access: access)
        CollectorRoutes.add(to: router, ingest: ingestService, database: database, maxBodyBytes: maxBodyBytes, gate: gate, access: access)
        let board = SourceHealthBoard()
        for collector in collectors { await board.register(collector.name, kind: collector.kind) }
        let sourceMetrics = SourceMetrics(
            metrics: metrics, service: "collector", instance: instance, sources: collectors.map { ($0.name, $0.kind) })
        SourceRoutes.add(to: router, board: board, metrics: sourceMetrics, access: access)
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
                            try? await Task.sleep(for: .seconds(1))
                        }
                    }
                }
            }
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(common.httpHost, port: httpPort), serverName: "carbonmeter-collector"),
            onServerRunning: { _ in logger.info("collector ready", metadata: ["http": "\(common.httpHost):\(httpPort)"]) },
            logger: logger)
        let acknowledgements = WorkerService(name: "acknowledgements", onShutdown: { publisher.finish() }) {
            let completed = Mutex<[String]>([])
            await publisher.runAcknowledgements(
                onAcknowledged: { db, acks in
                    for ack in acks {
                        if let batch = try CollectorStore.storePartVerdict(db, messageID: ack.messageID, verdict: ack.result) {
                            completed.withLock { $0.append(batch) }
                        }
                    }
                },
                afterCommit: { _ in
                    let batches = completed.withLock { done -> [String] in
                        let taken = done
                        done.removeAll()
                        return taken
                    }
                    await ingestService.acknowledged(batches)
                })
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [runtime, acknowledgements, sourceRunner] + (AuthenticatorSetup(auditOutbox: auditOutbox).worker.map { [$0] } ?? []) + [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

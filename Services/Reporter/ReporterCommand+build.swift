import AccessControl
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

extension ReporterCommand {
    /// The reporter, assembled from these options: its ledger store, its link to every
    /// calculator, the control links to the pipeline's stages, auth, and its HTTP routes (the
    /// queries, reports, dashboard, budgets and tags). `main` runs it with signal handlers;
    /// in-process tests without (`signals: []`), stopping it with a graceful shutdown.
    func buildReporter(signals: [UnixSignal] = [.sigterm, .sigint]) async throws -> ServiceShell {
        let instance = common.instanceName(service: "reporter")
        let logger = ServiceLogging.bootstrap(service: "reporter", instance: instance, level: common.logLevel)
        try ExposureGuard.enforce(service: "reporter", common: common, requireAuth: authLink.requireAuth, logger: logger)
        let database = try ServiceStore.open(path: common.storePath(service: "reporter"), migrations: ReporterMigrations.register)
        let metrics = ServiceMetrics(service: "reporter", instance: instance)
        let source = MessageSource(service: "reporter", instance: instance)
        let curve = try common.curve(service: "reporter")
        let runtime = try MessagingRuntime(name: "reporter", logger: logger, curve: curve)
        let subscriber = try UpstreamSubscriptions(
            loop: runtime.loop, endpoints: calculatorOutbox, instance: instance, logger: logger,
            security: try curve?.client(of: "calculator") ?? .plain)
        let status: @Sendable () async -> StatusReport = {
            let processed: Int?
            do { processed = try await database.read { try MessageStore.inboxCount($0) } } catch {
                // Reported unhealthy; the log says why.
                logger.error("status: could not read the store", metadata: ["error": "\(error)"])
                processed = nil
            }
            return StatusReport(
                service: "reporter", instance: instance, healthy: processed != nil, inboxProcessed: processed ?? 0,
                details: ["upstream": calculatorOutbox])
        }
        let stages = try ControlClients(loop: runtime.loop, list: pipelineControl, source: source, curve: curve, logger: logger)
        let authSetup = try await authLink.startAuthenticator(
            loop: runtime.loop, source: source, service: "reporter", logger: logger, database: database, curve: curve)
        let authenticator = authSetup.authenticator
        do {
            try await subscriber.start()
            _ = try await stages.targets()
            _ = try await ControlEndpoint.start(
                loop: runtime.loop, endpoint: common.bindEndpoint(port: controlPort), source: source, logger: logger,
                security: curve?.server ?? .plain, status: status,
                handlers: TenantPrivacyHandlers.make(service: "reporter", database: database, keeper: TenantLedgerKeeper(), authenticator: authenticator))
        } catch {
            throw ServiceStartupError("reporter could not open its ZeroMQ endpoints: \(error)")
        }
        // Auth is always connected: the dashboard needs a login even without --require-auth.
        let auth = RequestClient(
            loop: runtime.loop, endpoint: authLink.authEndpoint, source: source, security: try curve?.client(of: "auth") ?? .plain, logger: logger)
        do { try await auth.start() } catch { throw ServiceStartupError("reporter could not connect to auth: \(error)") }
        let sessionVerifier: Authenticator
        if let authenticator {
            sessionVerifier = authenticator
        } else {
            sessionVerifier = Authenticator(auth: auth, service: "reporter", logger: logger, pollMilliseconds: max(50, authLink.revocationPollMs))
            sessionVerifier.start()
        }
        let deliveries = ReporterDeliveryLoop(database: database, subscriber: subscriber, metrics: metrics, logger: logger)
        let router = Router(context: ServiceRequestContext.self)
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        // The dashboard keeps its own sign-in (a session cookie, and a sign-in page it must serve
        // to a stranger), so it sits outside the API's authentication.
        let method = EmissionForecast.Method(rawValue: forecastMethod) ?? .linearTrend
        DashboardRoutes.add(to: router, database: database, authenticator: sessionVerifier, auth: auth, forecastMethod: method, logger: logger)
        let api = router.group().add(middleware: AuthenticationMiddleware(RouteGuard(authenticator: authenticator)))
        BackupRoutes.add(to: api, database: database, dataDir: common.dataDir, instance: instance)
        ReporterRoutes.add(to: api, database: database, survey: PipelineSurvey(stages: stages, own: status))
        BusinessMetricRoutes.add(to: api, database: database)
        ForecastRoutes.add(to: api, database: database, defaultMethod: method)
        TagRoutes.add(to: api, database: database)
        let budgetWatch = InsightRoutes.add(
            to: api, database: database, webhook: URL(string: alertWebhook), forecastMethod: method, logger: logger)
        return ServiceShell(
            name: "reporter", runtime: runtime,
            workers: [WorkerService(name: "deliveries", onShutdown: { subscriber.finish() }) { try await deliveries.run() }, budgetWatch]
                + (authSetup.worker.map { [$0] } ?? []),
            router: router, host: common.httpHost, port: httpPort, signals: signals, logger: logger)
    }
}

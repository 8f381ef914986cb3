import AccessControl
import ArgumentParser
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import Messaging
import ServiceKit
import ServiceLifecycle

/// The reporter: keeps the queryable ledger of results and answers emissions queries.
@main
struct ReporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reporter",
        abstract: "CarbonMeter reporter: emissions by tenant, product, region, site and month, as JSON or CSV.",
        discussion: """
            HTTP: GET /v1/emissions?group_by=tenant,month&from=2024-01&to=2024-03&format=csv
                  (layer=tenant|product|product_site|site; filters tenant=, product=, region=, site=);
                  GET /v1/status (has the pipeline drained?); GET /health; GET /metrics.
            Dashboard: GET /dashboard in a browser (login through auth: GET/POST /dashboard/login, POST /dashboard/logout).
            """)

    @OptionGroup var common: CommonOptions
    @Option(help: "HTTP port (env CM_REPORTER_HTTP_PORT).")
    var httpPort: Int = Env.int("CM_REPORTER_HTTP_PORT", Topology.reporterHTTP)
    @Option(help: "The outbox endpoints of every calculator replica, comma-separated (env CM_CALCULATOR_OUTBOX).")
    var calculatorOutbox: String = Env.string("CM_CALCULATOR_OUTBOX", Topology.local(Topology.calculatorOutbox))
    @Option(help: "Port of the control endpoint (env CM_REPORTER_CONTROL_PORT).")
    var controlPort: Int = Env.int("CM_REPORTER_CONTROL_PORT", Topology.reporterControl)
    @Option(
        help: """
            Control endpoints of the upstream stages, in pipeline order, comma-separated, each optionally named by its service \
            (collector=tcp://…; required with --curve-dir, to pick the server key) (env CM_PIPELINE_CONTROL).
            """)
    var pipelineControl: String = Env.string(
        "CM_PIPELINE_CONTROL",
        [("collector", Topology.collectorControl), ("preprocessor", Topology.preprocessorControl), ("calculator", Topology.calculatorControl)]
            .map { "\($0.0)=\(Topology.local($0.1))" }.joined(separator: ","))

    @OptionGroup var authLink: AuthLinkOptions
    @Option(help: "URL that budget alerts are POSTed to as JSON; empty = none (env CM_ALERT_WEBHOOK).")
    var alertWebhook: String = Env.string("CM_ALERT_WEBHOOK", "")
    @Option(
        help: "Forecast behind forecast budget alerts and the default of GET /v1/budgets and /v1/forecast: linear or seasonal_naive (env CM_FORECAST_METHOD).")
    var forecastMethod: String = Env.string("CM_FORECAST_METHOD", EmissionForecast.Method.linearTrend.rawValue)

    func validate() throws {
        guard EmissionForecast.Method(rawValue: forecastMethod) != nil else {
            throw ValidationError("--forecast-method: use linear or seasonal_naive, not \"\(forecastMethod)\"")
        }
    }

    func run() async throws {
        HealthProbe.exitIfRequested(common, port: httpPort)
        let instance = common.instanceName(service: "reporter")
        let logger = ServiceLogging.bootstrap(service: "reporter", instance: instance, level: common.logLevel)
        try ExposureGuard.enforce(service: "reporter", common: common, requireAuth: authLink.requireAuth, logger: logger)
        let database = try ServiceStore.open(path: common.storePath(service: "reporter"), migrations: ReporterStore.migrations)
        let metrics = ServiceMetrics(service: "reporter", instance: instance)
        let source = MessageSource(service: "reporter", instance: instance)
        let curve = try common.curve(service: "reporter")
        let runtime = try MessagingRuntime(name: "reporter", logger: logger, curve: curve)
        let subscriber = try UpstreamSubscriptions(
            loop: runtime.loop, endpoints: calculatorOutbox, instance: instance, logger: logger,
            security: try curve?.client(of: "calculator") ?? .plain)
        let status: @Sendable () async -> StatusReport = {
            let processed = try? await database.read { try MessageStore.inboxCount($0) }
            return StatusReport(
                service: "reporter", instance: instance, healthy: processed != nil, inboxProcessed: processed ?? 0,
                details: ["upstream": calculatorOutbox])
        }
        let stages = try ControlClients(loop: runtime.loop, list: pipelineControl, source: source, curve: curve)
        let authSetup = try await AuthenticatorSetup.start(
            requireAuth: authLink.requireAuth, loop: runtime.loop, authEndpoint: authLink.authEndpoint, source: source, service: "reporter", logger: logger,
            revocationPollMilliseconds: authLink.revocationPollMs, database: database, security: try curve?.client(of: "auth") ?? .plain)
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
        let auth = RequestClient(loop: runtime.loop, endpoint: authLink.authEndpoint, source: source, security: try curve?.client(of: "auth") ?? .plain)
        do { try await auth.start() } catch { throw ServiceStartupError("reporter could not connect to auth: \(error)") }
        let sessionVerifier: Authenticator
        if let authenticator {
            sessionVerifier = authenticator
        } else {
            sessionVerifier = Authenticator(auth: auth, service: "reporter", logger: logger, pollMilliseconds: max(50, authLink.revocationPollMs))
            sessionVerifier.start()
        }
        let access = RouteGuard(authenticator: authenticator)
        let deliveries = ReporterDeliveryLoop(database: database, subscriber: subscriber, metrics: metrics, logger: logger)
        let router = Router()
        ServiceRoutes.add(to: router, metrics: metrics, status: status)
        BackupRoutes.add(to: router, database: database, dataDir: common.dataDir, instance: instance, access: access)
        ReporterRoutes.add(
            to: router, database: database, survey: PipelineSurvey(stages: stages, own: status), authenticator: authenticator, access: access)
        // The dashboard, business metrics, the forecast and tag breakdowns check roles themselves.
        let method = EmissionForecast.Method(rawValue: forecastMethod) ?? .linearTrend
        DashboardRoutes.add(to: router, database: database, authenticator: sessionVerifier, auth: auth, forecastMethod: method, logger: logger)
        BusinessMetricRoutes.add(to: router, database: database, authenticator: authenticator)
        ForecastRoutes.add(to: router, database: database, authenticator: authenticator, defaultMethod: method)
        TagRoutes.add(to: router, database: database, authenticator: authenticator)
        let budgetWatch = InsightRoutes.add(
            to: router, database: database, webhook: URL(string: alertWebhook), forecastMethod: method, logger: logger, access: access)
        let app = Application(
            router: router, configuration: .init(address: .hostname(common.httpHost, port: httpPort), serverName: "carbonmeter-reporter"),
            onServerRunning: { _ in logger.info("reporter ready", metadata: ["http": "\(common.httpHost):\(httpPort)"]) },
            logger: logger)
        let workers: [any Service] = [
            runtime, WorkerService(name: "deliveries", onShutdown: { subscriber.finish() }) { try await deliveries.run() },
        ]
        let group = ServiceGroup(
            configuration: .init(
                services: workers + [budgetWatch] + (authSetup.worker.map { [$0] } ?? []) + [app],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

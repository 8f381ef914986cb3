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
    var pipelineControl: String = Env.string("CM_PIPELINE_CONTROL", Topology.reporterPipelineControl.localDefault)

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
        MallocArenas.limit()
        HealthProbe.exitIfRequested(common, port: httpPort)
        try await buildReporter().run()
    }
}

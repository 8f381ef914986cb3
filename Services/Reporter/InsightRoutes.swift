import CarbonModel
import Foundation
import GRDB
import Hummingbird
import Logging
import ServiceKit

/// Everything the reporter adds on top of the ledger queries — reports, analysis, carbon
/// management and the data-centre indicators — registered from one place (their tables' migrations are in
/// `ReporterMigrations`).
enum InsightRoutes {
    /// Registers the routes and returns the budget watch to run as a service.
    static func add(
        to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, webhook: URL?,
        forecastMethod: EmissionForecast.Method = .linearTrend, logger: Logger
    ) -> WorkerService {
        ReportRoutes.add(to: router, database: database)
        AnalysisRoutes.add(to: router, database: database)
        let watch = AlertWatch(database: database, webhook: webhook, method: forecastMethod, logger: logger)
        ManagementRoutes.add(to: router, database: database, watch: watch)
        IndicatorRoutes.add(to: router, database: database)
        return WorkerService(name: "alert-watch", onShutdown: { watch.stop() }) { try await watch.run() }
    }
}

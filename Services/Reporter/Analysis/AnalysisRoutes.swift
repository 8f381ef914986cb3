import AccessControl
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/analysis?from=2024-01&to=2024-06&tenant=…&mode=measured&basis=location&top=5`.
enum AnalysisRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool) {
        router.get("/v1/analysis") { request, context -> TrendAnalysis in
            var parameters = QueryParameters.of(request)
            // Without tenant= the analysis is the provider's (site and product layers).
            let asked = parameters["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            parameters["tenant"] = try await context.providerOrTenantReadScope(asked: asked, providerView: "the provider's analysis", what: "analysis")
            let analysis: TrendReport
            do throws(TrendReport.Invalid) {
                analysis = try TrendReport.parse(parameters)
            } catch {
                throw APIError.badRequest("\(error.parameter): \(error.message)", field: error.parameter)
            }
            return try await database.read { try analysis.run($0) }
        }
    }
}

import AccessControl
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/analysis?from=2024-01&to=2024-06&tenant=…&mode=measured&basis=location&top=5`.
enum AnalysisRoutes {
    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, access: RouteGuard) {
        router.get("/v1/analysis") { request, _ -> Response in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            // Without tenant= the analysis is the provider's (site and product layers).
            let asked = parameters["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            switch await access.admit(request, action: "GET /v1/analysis", decide: { principal in
                asked == nil && principal.isProvider
                    ? AccessPolicy.readProviderView(principal, what: "the provider's analysis")
                    : AccessPolicy.readTenantData(principal, tenant: asked, what: "analysis")
            }) {
            case .refused(let refusal): return refusal
            case .admitted(let principal): parameters["tenant"] = AccessPolicy.tenantScope(principal, requested: asked)
            }
            let analysis: TrendReport
            do {
                analysis = try TrendReport.parse(parameters)
            } catch let error as TrendReport.Invalid {
                return HTTPSupport.error(.badRequest, "\(error.parameter): \(error.message)", field: error.parameter)
            }
            // Serialized inside the read: a JSON object of `Any` cannot cross the concurrency boundary.
            let data = try await database.read { db -> Data in
                let object = try analysis.run(db)
                return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
            }
            return HTTPSupport.raw(data, contentType: "application/json")
        }
    }
}

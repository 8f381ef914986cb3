import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The reporter's HTTP API: emissions from the ledger, and whether the pipeline has drained.
enum ReporterRoutes {
    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, survey: PipelineSurvey) {
        router.get("/v1/emissions") { request, _ -> Response in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            let query: EmissionsQuery
            do {
                query = try EmissionsQuery.parse(parameters, accept: request.headers[.accept])
            } catch let error as EmissionsQuery.Invalid {
                return HTTPSupport.error(.badRequest, "\(error.parameter): \(error.message)", field: error.parameter)
            }
            let rows = try await database.read { try EmissionsTable.rows($0, query: query) }
            switch query.format {
            case .json: return HTTPSupport.raw(EmissionsTable.json(rows, query: query), contentType: "application/json")
            case .csv: return HTTPSupport.raw(EmissionsTable.csv(rows, query: query), contentType: "text/csv; charset=utf-8")
            }
        }
        // Every version of each region-month's results (restatements), with the factors it used.
        router.get("/v1/versions") { request, _ -> Response in
            let region = request.uri.queryParameters["region"].map(String.init)
            let month = request.uri.queryParameters["month"].map(String.init)
            let history = try await database.read { try LedgerStore.history($0, region: region, month: month) }
            return HTTPSupport.json(["versions": history])
        }
        router.get("/v1/status") { _, _ -> Response in
            let status = await survey.survey()
            return HTTPSupport.json(status)
        }
    }
}

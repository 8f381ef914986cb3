import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/factors` on the calculator's HTTP port: the factor library the calculator uses —
/// its shipped defaults and the factors declared in its own store — listed and searched.
enum FactorRoutes {
    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, defaults: [EmissionFactor], access: RouteGuard) {
        router.get("/v1/factors") { request, _ -> Response in
            if case .refused(let refusal) = await access.admit(request, action: "GET /v1/factors", decide: {
                AccessPolicy.readProviderView($0, what: "the provider's factor library")
            }) {
                return refusal
            }
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            let query: FactorQuery
            do {
                query = try FactorQuery.parse(parameters)
            } catch let error as FactorQuery.Invalid {
                return HTTPSupport.error(.badRequest, "\(error.parameter): \(error.message)", field: error.parameter)
            }
            let declared = try await database.read { try CalculatorStore.factors($0) }
            let entries = query.run(on: defaults + declared)
            return HTTPSupport.json(FactorList(count: entries.count, factors: entries))
        }
    }
}

/// The body of `GET /v1/factors`.
struct FactorList: Encodable, Sendable {
    var count: Int
    var factors: [FactorEntry]
}

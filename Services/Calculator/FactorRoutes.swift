import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/factors` on the calculator's HTTP port: the factor library the calculator uses —
/// its shipped defaults and the factors declared in its own store — listed and searched.
enum FactorRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, defaults: [EmissionFactor]) {
        router.get("/v1/factors") { request, context -> FactorList in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the provider's factor library") }
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            let query: FactorQuery
            do {
                query = try FactorQuery.parse(parameters)
            } catch let error as FactorQuery.Invalid {
                throw APIError.badRequest("\(error.parameter): \(error.message)", field: error.parameter)
            }
            let declared = try await database.read { try CalculatorStore.factors($0) }
            let entries = query.run(on: defaults + declared)
            return FactorList(count: entries.count, factors: entries)
        }
    }
}

/// The body of `GET /v1/factors`.
struct FactorList: ResponseEncodable, Sendable {
    var count: Int
    var factors: [FactorEntry]
}

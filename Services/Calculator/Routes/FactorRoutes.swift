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
            let parameters = QueryParameters.of(request)
            let query: FactorQuery
            do {
                query = try FactorQuery.parse(parameters)
            } catch let error as FactorQuery.Invalid {
                throw APIError.badRequest("\(error.parameter): \(error.message)", field: error.parameter)
            }
            let entries = try await database.read { db in try Self.entries(db, query: query, defaults: defaults) }
            return FactorList(count: entries.count, factors: entries)
        }
    }

    /// The factors of the library (`defaults` and those declared in the store) that `query`
    /// matches, as `GET /v1/factors` lists them.
    static func entries(_ db: Database, query: FactorQuery, defaults: [EmissionFactor]) throws -> [FactorEntry] {
        query.run(on: defaults + (try CalculatorStore.factors(db)))
    }
}

/// The body of `GET /v1/factors`.
struct FactorList: ResponseEncodable, Sendable {
    var count: Int
    var factors: [FactorEntry]
}

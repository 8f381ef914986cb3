import AccessControl
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The reporter's HTTP API: emissions from the ledger, and whether the pipeline has drained.
/// With an `authenticator` (`--require-auth`), emissions need a token or key whose role may
/// read; a tenant's credentials get the tenant layer only, filtered to their own tenant.
enum ReporterRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, survey: PipelineSurvey) {
        router.get("/v1/emissions") { request, context -> Response in
            var parameters = QueryParameters.of(request)
            let principal = context.principal
            // A tenant's own layer is the only one it may read, so it is the default for it.
            if principal?.tenant != nil, parameters["layer"]?.isEmpty ?? true { parameters["layer"] = "tenant" }
            var query: EmissionsQuery
            do {
                query = try EmissionsQuery.parse(parameters, accept: request.headers[.accept])
            } catch let error as EmissionsQuery.Invalid {
                throw APIError.badRequest("\(error.parameter): \(error.message)", field: error.parameter)
            }
            let asked = query
            try await context.authorize {
                AccessPolicy.readEmissions($0, providerView: asked.layer != .tenant, tenantFilter: asked.filters[.tenant])
            }
            // Forced, not trusted: a tenant's query is always filtered to its own tenant.
            if let own = principal?.tenant { query.filters[.tenant] = own }
            let forced = query
            let (answered, rows) = try await database.read { db -> (EmissionsQuery, [EmissionsRow]) in
                var query = forced
                // Without `to`, the answer ends at the latest month with activity data rather
                // than years ahead where only amortized hardware is; the answer's `to` says so.
                if query.to == nil, query.asOf == nil, let latest = try ActivityWindow.latestActivityMonth(db),
                    query.from.map({ $0 <= latest }) ?? true
                {
                    query.to = latest
                }
                return (query, try LedgerStore.emissions(db, query: query))
            }
            switch answered.format {
            case .json:
                do {
                    return HTTPSupport.raw(try EmissionsTable.json(rows, query: answered), contentType: "application/json")
                } catch {
                    throw APIError(.internalServerError, "the answer could not be written as JSON: \(error)")
                }
            case .csv: return HTTPSupport.raw(EmissionsTable.csv(rows, query: answered), contentType: "text/csv; charset=utf-8")
            }
        }
        // Every version of each region-month's results (restatements), with the factors it used.
        // They name regions and the provider's factors: a provider view.
        router.get("/v1/versions") { request, context -> VersionHistory in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the versions of region-month results") }
            let region = request.uri.queryParameters["region"].map(String.init)
            let month = request.uri.queryParameters["month"].map(String.init)
            return VersionHistory(versions: try await database.read { try LedgerStore.history($0, region: region, month: month) })
        }
        router.get("/v1/status") { _, context -> Response in
            try await context.authorize(AccessPolicy.readPipelineStatus)
            return HTTPSupport.json(await survey.survey())
        }
    }

    /// The body of `GET /v1/versions`.
    struct VersionHistory: ResponseEncodable, Sendable {
        var versions: [VersionRecord]
    }
}

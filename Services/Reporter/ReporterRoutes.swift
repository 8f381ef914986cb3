import AccessControl
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The reporter's HTTP API: emissions from the ledger, and whether the pipeline has drained.
/// With an `authenticator` (`--require-auth`), emissions need a token or key whose role may
/// read; a tenant's credentials get the tenant layer only, filtered to their own tenant.
enum ReporterRoutes {
    static func add(
        to router: Router<BasicRequestContext>, database: DatabasePool, survey: PipelineSurvey, authenticator: Authenticator?, access: RouteGuard
    ) {
        router.get("/v1/emissions") { request, _ -> Response in
            let action = "GET /v1/emissions"
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            var principal: Principal?
            if let authenticator {
                switch await authenticator.authenticate(authorization: request.headers[.authorization]) {
                case .authenticated(let who): principal = who
                case .unauthenticated(let message):
                    await authenticator.recordDenial(nil, action: action, reason: message)
                    return HTTPSupport.error(.unauthorized, message)
                case .unavailable(let message): return HTTPSupport.error(.serviceUnavailable, message)
                }
                // A tenant's own layer is the only one it may read, so it is the default for it.
                if principal?.tenant != nil, parameters["layer"]?.isEmpty ?? true { parameters["layer"] = "tenant" }
            }
            var query: EmissionsQuery
            do {
                query = try EmissionsQuery.parse(parameters, accept: request.headers[.accept])
            } catch let error as EmissionsQuery.Invalid {
                return HTTPSupport.error(.badRequest, "\(error.parameter): \(error.message)", field: error.parameter)
            }
            if let authenticator, let principal {
                switch AccessPolicy.readEmissions(principal, providerView: query.layer != .tenant, tenantFilter: query.filters[.tenant]) {
                case .allowed:
                    // Forced, not trusted: a tenant's query is always filtered to its own tenant.
                    if let own = principal.tenant { query.filters[.tenant] = own }
                case .denied(let message):
                    await authenticator.recordDenial(principal, action: action, reason: message)
                    return HTTPSupport.error(.forbidden, message)
                }
            }
            let asked = query
            let (answered, rows) = try await database.read { db -> (EmissionsQuery, [EmissionsRow]) in
                var query = asked
                // Without `to`, the answer ends at the latest month with activity data rather
                // than years ahead where only amortized hardware is; the answer's `to` says so.
                if query.to == nil, query.asOf == nil, let latest = try ActivityWindow.latestActivityMonth(db),
                    query.from.map({ $0 <= latest }) ?? true
                {
                    query.to = latest
                }
                return (query, try EmissionsTable.rows(db, query: query))
            }
            query = answered
            switch query.format {
            case .json: return HTTPSupport.raw(EmissionsTable.json(rows, query: query), contentType: "application/json")
            case .csv: return HTTPSupport.raw(EmissionsTable.csv(rows, query: query), contentType: "text/csv; charset=utf-8")
            }
        }
        // Every version of each region-month's results (restatements), with the factors it used.
        // They name regions and the provider's factors: a provider view.
        router.get("/v1/versions") { request, _ -> Response in
            if case .refused(let refusal) = await access.admit(request, action: "GET /v1/versions", decide: {
                AccessPolicy.readProviderView($0, what: "the versions of region-month results")
            }) {
                return refusal
            }
            let region = request.uri.queryParameters["region"].map(String.init)
            let month = request.uri.queryParameters["month"].map(String.init)
            let history = try await database.read { try LedgerStore.history($0, region: region, month: month) }
            return HTTPSupport.json(["versions": history])
        }
        router.get("/v1/status") { request, _ -> Response in
            if case .refused(let refusal) = await access.admit(request, action: "GET /v1/status", decide: AccessPolicy.readPipelineStatus) {
                return refusal
            }
            let status = await survey.survey()
            return HTTPSupport.json(status)
        }
    }
}

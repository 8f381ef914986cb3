import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/forecast?tenant=A&months=6&method=linear|seasonal_naive`: a tenant's measured,
/// location-based monthly totals (up to 24 months of history, the history budgets use) and the
/// forecast of the `months` after its latest month with results. `method` picks the forecast
/// (`EmissionForecast`): `linear` — least squares over the history; `seasonal_naive` — each month
/// equals the same month a year earlier, which needs twelve months of history and otherwise
/// falls back to `linear` (the answer's `method_applied` says which one produced the figures).
enum ForecastRoutes {
    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, authenticator: Authenticator?, defaultMethod: EmissionForecast.Method) {
        router.get("/v1/forecast") { request, _ -> Response in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            guard var tenant = parameters["tenant"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                return HTTPSupport.error(.badRequest, "tenant: required", field: "tenant")
            }
            switch await RouteAccess.reader(request, authenticator, action: "GET /v1/forecast", tenant: tenant) {
            case .success(let forced): tenant = forced ?? tenant
            case .failure(let refusal): return refusal.response
            }
            let methodText = parameters["method"] ?? ""
            guard let method = methodText.isEmpty ? defaultMethod : EmissionForecast.Method(rawValue: methodText) else {
                return HTTPSupport.error(.badRequest, "method: use linear or seasonal_naive", field: "method")
            }
            let monthsText = parameters["months"] ?? "6"
            guard let months = Int(monthsText), (1...60).contains(months) else {
                return HTTPSupport.error(.badRequest, "months: a whole number from 1 to 60", field: "months")
            }
            let chosen = tenant
            let data = try await database.read { db -> Data in
                let totals = try ManagementStore.monthlyTotals(db, tenant: chosen)
                var answer: [String: Any] = [
                    "tenant": chosen, "method": method.rawValue, "method_applied": applied(method, history: totals).rawValue, "unit": "kgCO2e",
                    "basis": "measured, location-based (scope 1 + scope 2 location + scope 3)",
                ]
                guard let latest = totals.keys.max() else {
                    answer["history"] = [Any]()
                    answer["forecast"] = [Any]()
                    return encode(answer)
                }
                let (_, forecast) = try ManagementStore.actualAndForecast(db, tenant: chosen, through: latest.adding(months: months), method: method)
                answer["history"] = historyMonths(totals).map { ["month": $0.description, "kgco2e": totals[$0] ?? 0] }
                answer["forecast"] = forecast.keys.sorted().map { ["month": $0.description, "kgco2e": forecast[$0] ?? 0] }
                return encode(answer)
            }
            return HTTPSupport.raw(data, contentType: "application/json")
        }
    }

    /// The months a forecast rests on: the latest month with results and up to 23 before it,
    /// from the first month with results (as `ManagementStore.actualAndForecast` takes them).
    static func historyMonths(_ totals: [CalendarMonth: Double]) -> [CalendarMonth] {
        guard let latest = totals.keys.max(), let earliest = totals.keys.min() else { return [] }
        var months: [CalendarMonth] = []
        var month = max(earliest, latest.adding(months: -23))
        while month <= latest {
            months.append(month)
            month = month.next
        }
        return months
    }

    /// Which method produces a forecast from this history (seasonal-naive needs a season).
    static func applied(_ method: EmissionForecast.Method, history totals: [CalendarMonth: Double]) -> EmissionForecast.Method {
        EmissionForecast.appliedMethod(method, historyCount: historyMonths(totals).count)
    }

    private static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    }
}

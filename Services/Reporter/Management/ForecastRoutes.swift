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
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, defaultMethod: EmissionForecast.Method) {
        router.get("/v1/forecast") { request, context -> Forecast in
            let parameters = QueryParameters.of(request)
            guard let asked = parameters["tenant"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw APIError.badRequest("tenant: required", field: "tenant")
            }
            let tenant = try await context.tenantReadScope(asked: asked, what: "emissions") ?? asked
            let methodText = parameters["method"] ?? ""
            guard let method = methodText.isEmpty ? defaultMethod : EmissionForecast.Method(rawValue: methodText) else {
                throw APIError.badRequest("method: use linear or seasonal_naive", field: "method")
            }
            let monthsText = parameters["months"] ?? "6"
            guard let months = Int(monthsText), (1...60).contains(months) else {
                throw APIError.badRequest("months: a whole number from 1 to 60", field: "months")
            }
            return try await database.read { db -> Forecast in
                let totals = try ManagementStore.monthlyTotals(db, tenant: tenant)
                var answer = Forecast(tenant: tenant, method: method.rawValue, methodApplied: applied(method, history: totals).rawValue)
                guard let latest = totals.keys.max() else { return answer }
                let (_, forecast) = try ManagementStore.actualAndForecast(db, tenant: tenant, through: latest.adding(months: months), method: method)
                answer.history = historyMonths(totals).map { Forecast.Month(month: $0.description, kgco2e: totals[$0] ?? 0) }
                answer.forecast = forecast.keys.sorted().map { Forecast.Month(month: $0.description, kgco2e: forecast[$0] ?? 0) }
                return answer
            }
        }
    }

    /// The body of `GET /v1/forecast`.
    struct Forecast: ResponseEncodable, Sendable {
        struct Month: Encodable, Sendable {
            var month: String
            var kgco2e: Double
        }
        var tenant: String
        var method: String
        var methodApplied: String
        var unit = "kgCO2e"
        var basis = "measured, location-based (scope 1 + scope 2 location + scope 3)"
        var history: [Month] = []
        var forecast: [Month] = []

        enum CodingKeys: String, CodingKey {
            case tenant, method, unit, basis, history, forecast
            case methodApplied = "method_applied"
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
}

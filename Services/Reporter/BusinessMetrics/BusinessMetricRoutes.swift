import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// Business metrics and the intensity of emissions per unit of them:
/// `POST /v1/business-metrics` (`{tenant, month, metric, value, unit}` or an array of them),
/// `GET /v1/business-metrics?tenant=&metric=`, and
/// `GET /v1/intensity?tenant=A&metric=orders&from=2024-01&to=2024-06&basis=location|market&mode=measured|estimated`
/// (see `BusinessIntensity`: per month, and Σ kg ÷ Σ value over the months with a value).
/// With an authenticator (`--require-auth`): reading needs a role that may read, writing one that
/// may write (not a collector: these are a tenant's business figures); a tenant's credentials
/// read and write only their own tenant.
enum BusinessMetricRoutes {
    static func add(to router: Router<BasicRequestContext>, database: DatabasePool, authenticator: Authenticator?) {
        router.post("/v1/business-metrics") { request, _ -> Response in
            let principal: Principal?
            switch await RouteAccess.caller(request, authenticator) {
            case .success(let who): principal = who
            case .failure(let refusal): return refusal.response
            }
            guard let data = try await HTTPSupport.body(of: request, limit: 4 << 20) else {
                return HTTPSupport.error(.contentTooLarge, "body: at most 4 MiB")
            }
            if let refusal = HTTPSupport.repeatedKeyRefusal(in: data) { return refusal }
            let metrics: [BusinessMetricStore.Metric]
            if let many = try? JSONDecoder().decode([BusinessMetricStore.Metric].self, from: data) {
                metrics = many
            } else if let one = try? JSONDecoder().decode(BusinessMetricStore.Metric.self, from: data) {
                metrics = [one]
            } else {
                return HTTPSupport.error(
                    .badRequest, "body: expected {\"tenant\", \"month\": \"2024-01\", \"metric\": \"orders\", \"value\": 1200, \"unit\": \"order\"} or an array of them")
            }
            for (index, m) in metrics.enumerated() {
                let at = metrics.count > 1 ? "item \(index + 1): " : ""
                if m.tenant.isEmpty { return HTTPSupport.error(.badRequest, "\(at)tenant: must not be empty", field: "tenant") }
                if CalendarMonth(m.month) == nil { return HTTPSupport.error(.badRequest, "\(at)month: expected a month like 2024-01", field: "month") }
                if m.metric.isEmpty { return HTTPSupport.error(.badRequest, "\(at)metric: must not be empty", field: "metric") }
                if !(m.value >= 0) || !m.value.isFinite { return HTTPSupport.error(.badRequest, "\(at)value: a number ≥ 0", field: "value") }
                if m.unit.isEmpty { return HTTPSupport.error(.badRequest, "\(at)unit: must not be empty (e.g. order, CNY, user)", field: "unit") }
            }
            if let authenticator, let principal {
                let action = "POST /v1/business-metrics"
                guard principal.role == .providerAdmin || principal.role == .tenantAdmin else {
                    let message = "the role \(principal.role.rawValue) may not write business metrics"
                    authenticator.reportDenial(principal, action: action, reason: message)
                    return HTTPSupport.error(.forbidden, message)
                }
                if let own = principal.tenant, metrics.contains(where: { $0.tenant != own }) {
                    let message = "a tenant's credentials may write only that tenant's business metrics"
                    authenticator.reportDenial(principal, action: action, reason: message)
                    return HTTPSupport.error(.forbidden, message)
                }
            }
            try await database.write { try BusinessMetricStore.store($0, metrics) }
            return HTTPSupport.json(["stored": metrics.count])
        }

        router.get("/v1/business-metrics") { request, _ -> Response in
            var tenant = request.uri.queryParameters["tenant"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            switch await RouteAccess.reader(request, authenticator, action: "GET /v1/business-metrics", tenant: tenant) {
            case .success(let forced): tenant = forced ?? tenant
            case .failure(let refusal): return refusal.response
            }
            let metric = request.uri.queryParameters["metric"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let chosen = tenant
            let metrics = try await database.read { try BusinessMetricStore.list($0, tenant: chosen, metric: metric) }
            return HTTPSupport.json(["business_metrics": metrics])
        }

        router.get("/v1/intensity") { request, _ -> Response in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            guard var tenant = parameters["tenant"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                return HTTPSupport.error(.badRequest, "tenant: required", field: "tenant")
            }
            switch await RouteAccess.reader(request, authenticator, action: "GET /v1/intensity", tenant: tenant) {
            case .success(let forced): tenant = forced ?? tenant
            case .failure(let refusal): return refusal.response
            }
            guard let metric = parameters["metric"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                return HTTPSupport.error(.badRequest, "metric: required (the name used when uploading, e.g. orders)", field: "metric")
            }
            guard let from = parameters["from"].flatMap({ CalendarMonth($0) }) else {
                return HTTPSupport.error(.badRequest, "from: expected a month like 2024-01", field: "from")
            }
            guard let to = parameters["to"].flatMap({ CalendarMonth($0) }), from <= to else {
                return HTTPSupport.error(.badRequest, "to: expected a month like 2024-06, not before from", field: "to")
            }
            let basis = parameters["basis"] ?? "location"
            guard basis == "location" || basis == "market" else { return HTTPSupport.error(.badRequest, "basis: use location or market", field: "basis") }
            guard let mode = ResultMode(rawValue: parameters["mode"] ?? "measured") else {
                return HTTPSupport.error(.badRequest, "mode: use measured or estimated", field: "mode")
            }
            let chosen = tenant
            return try await database.read { db -> Response in
                let rows = try EmissionsTable.rows(
                    db, query: EmissionsQuery(layer: .tenant, groupBy: [.month], from: from, to: to, filters: [.tenant: chosen], mode: mode, format: .json))
                var emissions: [CalendarMonth: Double] = [:]
                for row in rows {
                    if let text = row.group.first?.1, let month = CalendarMonth(text) {
                        emissions[month, default: 0] += basis == "location" ? row.figures.totalLocation : row.figures.totalMarket
                    }
                }
                var values: [CalendarMonth: Double] = [:]
                var units = Set<String>()
                for m in try BusinessMetricStore.list(db, tenant: chosen, metric: metric) {
                    if let month = CalendarMonth(m.month), month >= from, month <= to {
                        values[month] = m.value
                        units.insert(m.unit)
                    }
                }
                let months = BusinessIntensity.months(emissions: emissions, values: values, from: from, to: to)
                do { try BusinessIntensity.checkFinite(months) } catch { return HTTPSupport.error(.unprocessableContent, "\(error)") }
                let unit = units.sorted().joined(separator: "|")
                var answer: [String: Any] = [
                    "tenant": chosen, "metric": metric, "metric_unit": unit, "from": from.description, "to": to.description, "basis": basis,
                    "mode": mode.rawValue, "unit": "kgCO2e/\(unit.isEmpty ? metric : unit)",
                    "months": months.map { m -> [String: Any] in
                        ["month": m.month.description, "kgco2e": m.emissions, "value": m.value ?? NSNull(), "intensity": m.intensity ?? NSNull()]
                    },
                    "notes": [
                        "intensity = kg CO2e (\(basis)-based total of \(mode.rawValue) results) ÷ the metric's value, per month.",
                        "The period figure is Σ kg ÷ Σ value over the months that have a value above 0; months without one are left out of both sums.",
                    ],
                ]
                if let period = BusinessIntensity.period(months) {
                    answer["period"] = ["kgco2e": period.emissions, "value": period.value, "intensity": period.intensity]
                } else {
                    answer["period"] = NSNull()
                }
                return HTTPSupport.jsonObject(answer)
            }
        }
    }
}

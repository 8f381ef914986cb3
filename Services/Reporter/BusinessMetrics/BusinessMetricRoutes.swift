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
/// With authentication on: reading needs a role that may read, writing one that may write
/// (not a collector: these are a tenant's business figures); a tenant's credentials read and
/// write only their own tenant.
enum BusinessMetricRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool) {
        router.post("/v1/business-metrics") { request, context -> StoredCount in
            guard let data = try await HTTPSupport.body(of: request, limit: 4 << 20) else {
                throw APIError(.contentTooLarge, "body: at most 4 MiB")
            }
            let metrics = try HTTPSupport.decodeOneOrMany(
                BusinessMetricStore.Metric.self, from: data,
                expected: "{\"tenant\", \"month\": \"2024-01\", \"metric\": \"orders\", \"value\": 1200, \"unit\": \"order\"} or an array of them")
            for (index, m) in metrics.enumerated() {
                let at = metrics.count > 1 ? "item \(index + 1): " : ""
                if m.tenant.isEmpty { throw APIError.badRequest("\(at)tenant: must not be empty", field: "tenant") }
                if CalendarMonth(m.month) == nil { throw APIError.badRequest("\(at)month: expected a month like 2024-01", field: "month") }
                if m.metric.isEmpty { throw APIError.badRequest("\(at)metric: must not be empty", field: "metric") }
                if !(m.value >= 0) || !m.value.isFinite { throw APIError.badRequest("\(at)value: a number ≥ 0", field: "value") }
                if m.unit.isEmpty { throw APIError.badRequest("\(at)unit: must not be empty (e.g. order, CNY, user)", field: "unit") }
            }
            try await context.authorize { principal in
                guard principal.role == .providerAdmin || principal.role == .tenantAdmin else {
                    return .denied("the role \(principal.role.rawValue) may not write business metrics")
                }
                if let own = principal.tenant, metrics.contains(where: { $0.tenant != own }) {
                    return .denied("a tenant's credentials may write only that tenant's business metrics")
                }
                return .allowed
            }
            try await database.write { try BusinessMetricStore.store($0, metrics) }
            return StoredCount(stored: metrics.count)
        }

        router.get("/v1/business-metrics") { request, context -> MetricList in
            let asked = request.uri.queryParameters["tenant"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let tenant = try await context.tenantReadScope(asked: asked, what: "emissions")
            let metric = request.uri.queryParameters["metric"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            return MetricList(businessMetrics: try await database.read { try BusinessMetricStore.list($0, tenant: tenant, metric: metric) })
        }

        router.get("/v1/intensity") { request, context -> Intensity in
            let parameters = QueryParameters.of(request)
            guard let asked = parameters["tenant"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw APIError.badRequest("tenant: required", field: "tenant")
            }
            let tenant = try await context.tenantReadScope(asked: asked, what: "emissions") ?? asked
            guard let metric = parameters["metric"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw APIError.badRequest("metric: required (the name used when uploading, e.g. orders)", field: "metric")
            }
            guard let from = parameters["from"].flatMap({ CalendarMonth($0) }) else {
                throw APIError.badRequest("from: expected a month like 2024-01", field: "from")
            }
            guard let to = parameters["to"].flatMap({ CalendarMonth($0) }), from <= to else {
                throw APIError.badRequest("to: expected a month like 2024-06, not before from", field: "to")
            }
            let basis = parameters["basis"] ?? "location"
            guard basis == "location" || basis == "market" else { throw APIError.badRequest("basis: use location or market", field: "basis") }
            guard let mode = ResultMode(rawValue: parameters["mode"] ?? "measured") else {
                throw APIError.badRequest("mode: use measured or estimated", field: "mode")
            }
            let (months, units) = try await database.read { db -> ([BusinessIntensity.Month], Set<String>) in
                let rows = try LedgerStore.emissions(
                    db, query: EmissionsQuery(layer: .tenant, groupBy: [.month], from: from, to: to, filters: [.tenant: tenant], mode: mode, format: .json))
                var emissions: [CalendarMonth: Double] = [:]
                for row in rows {
                    if let text = row.group.first?.1, let month = CalendarMonth(text) {
                        emissions[month, default: 0] += basis == "location" ? row.figures.totalLocation : row.figures.totalMarket
                    }
                }
                var values: [CalendarMonth: Double] = [:]
                var units = Set<String>()
                for m in try BusinessMetricStore.list(db, tenant: tenant, metric: metric) {
                    if let month = CalendarMonth(m.month), month >= from, month <= to {
                        values[month] = m.value
                        units.insert(m.unit)
                    }
                }
                return (BusinessIntensity.months(emissions: emissions, values: values, from: from, to: to), units)
            }
            do { try BusinessIntensity.checkFinite(months) } catch { throw APIError(.unprocessableContent, "\(error)") }
            let unit = units.sorted().joined(separator: "|")
            return Intensity(
                tenant: tenant, metric: metric, metricUnit: unit, from: from.description, to: to.description, basis: basis, mode: mode.rawValue,
                unit: "kgCO2e/\(unit.isEmpty ? metric : unit)",
                months: months.map { Intensity.Month(month: $0.month.description, kgco2e: $0.emissions, value: $0.value, intensity: $0.intensity) },
                notes: [
                    "intensity = kg CO2e (\(basis)-based total of \(mode.rawValue) results) ÷ the metric's value, per month.",
                    "The period figure is Σ kg ÷ Σ value over the months that have a value above 0; months without one are left out of both sums.",
                ],
                period: BusinessIntensity.period(months).map { Intensity.Period(kgco2e: $0.emissions, value: $0.value, intensity: $0.intensity) })
        }
    }

    /// The body of `GET /v1/business-metrics`.
    struct MetricList: ResponseEncodable, Sendable {
        var businessMetrics: [BusinessMetricStore.Metric]
        enum CodingKeys: String, CodingKey { case businessMetrics = "business_metrics" }
    }

    /// The body of `GET /v1/intensity`.
    struct Intensity: ResponseEncodable, Sendable {
        struct Month: Encodable, Sendable {
            var month: String
            var kgco2e: Double
            @ExplicitNull var value: Double?
            @ExplicitNull var intensity: Double?
        }
        struct Period: Encodable, Sendable {
            var kgco2e: Double
            var value: Double
            var intensity: Double
        }
        var tenant: String
        var metric: String
        var metricUnit: String
        var from: String
        var to: String
        var basis: String
        var mode: String
        var unit: String
        var months: [Month]
        var notes: [String]
        @ExplicitNull var period: Period?

        enum CodingKeys: String, CodingKey {
            case tenant, metric, from, to, basis, mode, unit, months, notes, period
            case metricUnit = "metric_unit"
        }
    }
}

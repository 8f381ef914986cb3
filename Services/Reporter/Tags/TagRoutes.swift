import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/tags?tenant=t1&key=project&from=2024-01&to=2024-03&mode=measured`: a tenant's
/// emissions by the values of one tag key, per value over the period and per month, with the
/// tenant's total they add up to. Same role checks as the other tenant reads (a tenant sees
/// only its own).
enum TagRoutes {
    struct Answer: ResponseEncodable, Sendable {
        var tenant: String
        var key: String
        var from: String?
        var to: String?
        var mode: String
        var values: [TagBreakdownReport.Line]
        var months: [TagBreakdownReport.Line]
        /// The tenant's total over the period and mode, which the values add up to.
        var total: EmissionFigures
        var notes: [String]
    }

    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool) {
        router.get("/v1/tags") { request, context -> Answer in
            let parameters = QueryParameters.of(request)
            let asked = parameters["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            guard let chosen = try await context.tenantReadScope(asked: asked, what: "emissions") else {
                throw APIError.badRequest("tenant: required", field: "tenant")
            }
            guard let key = parameters["key"].flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw APIError.badRequest("key: required (a tag name, e.g. project or cost_centre)", field: "key")
            }
            var from: CalendarMonth?
            if let text = parameters["from"] {
                guard let month = CalendarMonth(text) else { throw APIError.badRequest("from: expected a month like 2024-01", field: "from") }
                from = month
            }
            var to: CalendarMonth?
            if let text = parameters["to"] {
                guard let month = CalendarMonth(text), from.map({ $0 <= month }) ?? true else {
                    throw APIError.badRequest("to: expected a month like 2024-06, not before from", field: "to")
                }
                to = month
            }
            guard let mode = ResultMode(rawValue: parameters["mode"] ?? "measured") else {
                throw APIError.badRequest("mode: use measured or estimated", field: "mode")
            }
            let (start, end) = (from, to)
            let report = try await database.read {
                try TagLedgerStore.breakdown($0, tenant: chosen, key: key, from: start, to: end, mode: mode)
            }
            return Answer(
                tenant: chosen, key: key, from: from?.description, to: to?.description, mode: mode.rawValue, values: report.values,
                months: report.months, total: report.total,
                notes: [
                    "Each tenant cell (product, region, month) is split by the values of \(key) in proportion to the usage that carried each value.",
                    "Usage without \(key) counts as \(TagBreakdown.untagged); the values add up to the tenant's total.",
                    "Only \(mode.rawValue) results are included; measured and estimated figures are never summed together.",
                ])
        }
    }
}

import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/reports?period=2024-01|2024-Q1|2024&tenant=…&format=json|csv|html`: a GHG
/// inventory for a tenant (with `tenant=`) or for the provider (without), built from the
/// ledger. The same request on the same ledger gives the same bytes.
enum ReportRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool) {
        router.get("/v1/reports") { request, context -> Response in
            let parameters = QueryParameters.of(request)
            // A tenant's credentials get their own tenant's inventory by default; the provider's
            // inventory (no tenant=) is a provider view.
            let asked = parameters["tenant"].flatMap { $0.isEmpty ? nil : $0 }
            let tenant = try await context.providerOrTenantReadScope(asked: asked, providerView: "the provider's inventory", what: "reports")
            guard let text = parameters["period"], let period = ReportPeriod(text) else {
                throw APIError.badRequest("period: expected a month (2024-01), a quarter (2024-Q1) or a year (2024)", field: "period")
            }
            let format = parameters["format"] ?? "json"
            guard ["json", "csv", "html"].contains(format) else {
                throw APIError.badRequest("format: use json, csv or html", field: "format")
            }
            let subject: InventoryReport.Subject = tenant.map { .tenant($0) } ?? .provider
            let report = try await database.read { try InventoryBuilder.build($0, period: period, subject: subject) }
            switch format {
            case "csv": return HTTPSupport.raw(InventoryCSV.render(report), contentType: "text/csv; charset=utf-8")
            case "html": return HTTPSupport.raw(InventoryHTML.render(report), contentType: "text/html; charset=utf-8")
            default:
                do {
                    return HTTPSupport.raw(try InventoryJSON.render(report), contentType: "application/json")
                } catch {
                    throw APIError(.internalServerError, "the report could not be written as JSON: \(error)")
                }
            }
        }
    }
}

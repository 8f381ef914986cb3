import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/certificates/unapplied?month=2024-03[&site=h1]` on the calculator: the certificates
/// of a month that were not applied to their site because they were produced in another grid
/// (outside the site's market boundary, docs/model.md §9), with how many kWh of the month each
/// holds and under which method it was left out. Certificates name sites and grids of the
/// provider: a provider view (``CalculatorStore/unappliedCertificates(_:month:site:marketBoundary:)``).
enum CertificateRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, marketBoundary: MarketBoundary) {
        router.get("/v1/certificates/unapplied") { request, context -> UnappliedCertificates in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the certificates not applied") }
            guard let monthText = request.uri.queryParameters["month"].map(String.init), let month = CalendarMonth(monthText) else {
                throw APIError.badRequest("month: expected a month like 2024-03", field: "month")
            }
            let siteFilter = request.uri.queryParameters["site"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let entries = try await database.read { db in
                try CalculatorStore.unappliedCertificates(db, month: month, site: siteFilter, marketBoundary: marketBoundary)
            }
            return UnappliedCertificates(month: month.description, marketBoundary: marketBoundary.rawValue, certificates: entries)
        }
    }
}

/// The body of `GET /v1/certificates/unapplied`.
struct UnappliedCertificates: ResponseEncodable, Sendable {
    struct Entry: Encodable, Sendable {
        var source: String
        var id: String
        var site: String
        var siteGrid: String
        var grid: String
        /// The certificate's kWh within the month.
        var kwh: Double
        var appliedMonthly: Bool
        var appliedHourly: Bool
        var reason: String

        enum CodingKeys: String, CodingKey {
            case source, id, site, grid, kwh, reason
            case siteGrid = "site_grid", appliedMonthly = "applied_monthly", appliedHourly = "applied_hourly"
        }
    }
    var month: String
    var marketBoundary: String
    var certificates: [Entry]

    enum CodingKeys: String, CodingKey {
        case month, certificates
        case marketBoundary = "market_boundary"
    }
}

import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// `GET /v1/lineage?site=<site>&month=<YYYY-MM>` on the calculator's HTTP port: the formula,
/// input records and factors behind a site-month cell (``SiteLineage``), from the calculator's
/// own store. Reads every stored record to find the site's (no per-site index yet).
enum LineageRoutes {
    static func add(
        to router: Router<BasicRequestContext>, database: DatabasePool, defaults: [EmissionFactor], quality: DataQualitySettings = .default
    ) {
        router.get("/v1/lineage") { request, _ -> Response in
            guard let siteName = request.uri.queryParameters["site"].map(String.init), !siteName.isEmpty else {
                return HTTPSupport.error(.badRequest, "site: required (lineage is available for site cells)", field: "site")
            }
            guard let monthText = request.uri.queryParameters["month"].map(String.init), let month = CalendarMonth(monthText) else {
                return HTTPSupport.error(.badRequest, "month: expected a month like 2024-01", field: "month")
            }
            let lineage = try await database.read { db -> SiteLineage? in
                guard let data = try Data.fetchOne(db, sql: "SELECT declaration FROM sites WHERE site = ?", arguments: [siteName]) else {
                    return nil
                }
                let site = try JSONDecoder().decode(SiteDeclaration.self, from: data)
                let decoder = JSONDecoder()
                let records = try Data.fetchAll(db, sql: "SELECT normalized FROM records").map { try decoder.decode(NormalizedRecord.self, from: $0) }
                let factors = FactorResolver(defaults + (try CalculatorStore.factors(db)))
                return SiteLineage.build(site: site, month: month, records: records, factors: factors, quality: quality)
            }
            guard let lineage else { return HTTPSupport.error(.notFound, "site: unknown site \"\(siteName)\"", field: "site") }
            return HTTPSupport.json(lineage)
        }
    }
}

import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import RecordParsing
import ServiceKit

/// `GET /v1/certificates/unapplied?month=2024-03[&site=h1]` on the calculator: the certificates
/// of a month that were not applied to their site because they were produced in another grid
/// (outside the site's market boundary, docs/model.md §9), with how many kWh of the month each
/// holds and under which method it was left out. Certificates name sites and grids of the
/// provider: a provider view.
///
/// Reads every stored record whose bytes say it is a certificate (no index by kind yet).
enum CertificateRoutes {
    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool, marketBoundary: MarketBoundary) {
        router.get("/v1/certificates/unapplied") { request, context -> UnappliedCertificates in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the certificates not applied") }
            guard let monthText = request.uri.queryParameters["month"].map(String.init), let month = CalendarMonth(monthText) else {
                throw APIError.badRequest("month: expected a month like 2024-03", field: "month")
            }
            let siteFilter = request.uri.queryParameters["site"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
            let entries = try await database.read { db in
                try unapplied(db, month: month, site: siteFilter, marketBoundary: marketBoundary)
            }
            return UnappliedCertificates(month: month.description, marketBoundary: marketBoundary.rawValue, certificates: entries)
        }
    }

    /// The certificates of `month` (of `site`, or of every site) that were not applied to their
    /// site because they were produced in another grid, sorted by site, source and id.
    static func unapplied(_ db: Database, month: CalendarMonth, site siteFilter: String?, marketBoundary: MarketBoundary) throws
        -> [UnappliedCertificates.Entry]
    {
        // Stored encodings are BLOBs: LIKE does not look into them, instr does.
        let marker = Data(#""kind":"facility.certificate""#.utf8)
        var out: [UnappliedCertificates.Entry] = []
        var grids: [String: String] = [:]
        for data in try Data.fetchAll(db, sql: "SELECT normalized FROM records WHERE instr(normalized, ?) > 0", arguments: [marker]) {
            let record = try NormalizedRecord.decode(data)
            guard record.kind == .facilityCertificate, let grid = record.substance, let site = record.site,
                siteFilter.map({ $0 == site }) ?? true, record.start < month.end, record.end > month.start
            else { continue }
            if grids[site] == nil { grids[site] = try CalculatorStore.site(db, named: site)?.grid }
            guard let siteGrid = grids[site], siteGrid != grid else { continue }
            let micro = TimeSplitter.split(start: record.start, end: record.end, amount: record.amount, granularity: .hour)
                .filter { $0.start >= month.start && $0.start < month.end }.reduce(Int64(0)) { $0 + $1.amount }
            out.append(
                UnappliedCertificates.Entry(
                    source: record.source, id: record.id, site: site, siteGrid: siteGrid, grid: grid, kwh: Double(micro) / 1_000_000,
                    appliedMonthly: marketBoundary == .hourlyOnly, appliedHourly: false,
                    reason: "produced in grid \(grid), outside the market boundary of site \(site) (grid \(siteGrid))"))
        }
        return out.sorted { ($0.site, $0.source, $0.id) < ($1.site, $1.source, $1.id) }
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

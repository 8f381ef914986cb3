import AccessControl
import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The data-centre indicators over HTTP (docs/model.md §21), a provider view:
///
/// - `GET /v1/indicators?site=&from=2024-01&to=2024-12&granularity=month|quarter|year&format=json|csv`:
///   PUE, REF, ERF, WUE, CER and CUE per site and period with the sums behind them;
/// - `GET /v1/reports/eed?site=&year=2024&format=json|csv`: a site's yearly report with the
///   fields of the EU data-centre reporting scheme the suite can know, and those it cannot;
/// - `POST/GET /v1/indicator-targets`: PUE and WUE targets per site and year with their
///   progress and the months above an alert threshold;
/// - `GET /v1/indicator-alerts`: those months as kept alerts, each once, with whether the alert
///   webhook has taken it.
enum IndicatorRoutes {
    static let bodyLimit = 1 << 20

    static func add(to router: some RouterMethods<ServiceRequestContext>, database: DatabasePool) {
        router.get("/v1/indicators") { request, context -> Response in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "data-centre indicators") }
            let parameters = QueryParameters.of(request)
            let format = try Self.format(parameters)
            let granularity = parameters["granularity"] ?? "month"
            guard let kind = ReportPeriod.Kind(rawValue: granularity) else {
                throw APIError.badRequest("granularity: use month, quarter or year", field: "granularity")
            }
            let from = try Self.month(parameters["from"], "from"), to = try Self.month(parameters["to"], "to")
            let site = parameters["site"].flatMap { $0.isEmpty ? nil : $0 }
            let report = try await database.read { db -> IndicatorReport in
                let latest = try SiteMeasureStore.latestMonth(db) ?? CalendarMonth(containing: Int64(Date().timeIntervalSince1970))
                let last = to ?? latest
                let first = from ?? last.adding(months: -11)
                guard first <= last else { throw APIError.badRequest("from must not be after to", field: "from") }
                guard (last.year - first.year) * 12 + last.month - first.month < 1_200 else { throw APIError.badRequest("the window is limited to 100 years", field: "from") }
                return try IndicatorReport.build(db, site: site, periods: Self.periods(from: first, to: last, kind: kind), granularity: kind)
            }
            if site != nil, report.sites.isEmpty {
                throw APIError(.notFound, "no data-centre data for that site", field: "site")
            }
            return format == "csv"
                ? HTTPSupport.raw(IndicatorCSV.render(report), contentType: "text/csv; charset=utf-8")
                : HTTPSupport.json(report)
        }

        router.get("/v1/reports/eed") { request, context -> Response in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "the data-centre report") }
            let parameters = QueryParameters.of(request)
            let format = try Self.format(parameters)
            guard let site = parameters["site"], !site.isEmpty else { throw APIError.badRequest("site: required", field: "site") }
            guard let yearText = parameters["year"], let year = Int(yearText), (2000...2100).contains(year) else {
                throw APIError.badRequest("year: a year such as 2024", field: "year")
            }
            let report = try await database.read { try EEDReport.build($0, site: site, year: year) }
            guard let report else { throw APIError(.notFound, "no data-centre data for that site in \(year)", field: "site") }
            return format == "csv"
                ? HTTPSupport.raw(report.csv(), contentType: "text/csv; charset=utf-8")
                : HTTPSupport.json(report)
        }

        router.post("/v1/indicator-targets") { request, context -> StoredCount in
            try await context.authorize { AccessPolicy.administerService($0, what: "set data-centre indicator targets") }
            let data = try await HTTPSupport.requireBody(of: request, limit: bodyLimit)
            let targets = try HTTPSupport.decodeOneOrMany(
                IndicatorTarget.self, from: data,
                expected: "{\"site\", \"year\", \"indicator\": \"pue\" or \"wue\", \"target\", optional \"alert_above\"} or an array of them")
            for target in targets { try target.check() }
            try await database.write { db in
                for target in targets { try target.save(db) }
            }
            return StoredCount(stored: targets.count)
        }

        router.get("/v1/indicator-targets") { request, context -> IndicatorTargetList in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "data-centre indicator targets") }
            let parameters = QueryParameters.of(request)
            let year = try parameters["year"].map { text -> Int in
                guard let year = Int(text) else { throw APIError.badRequest("year: a year such as 2024", field: "year") }
                return year
            }
            return try await database.read { try IndicatorTargetList(targets: IndicatorTargetStore.progress($0, year: year)) }
        }

        router.get("/v1/indicator-alerts") { _, context -> IndicatorAlertList in
            try await context.authorize { AccessPolicy.readProviderView($0, what: "data-centre indicator alerts") }
            return try await database.read { try IndicatorAlertList(alerts: IndicatorTargetStore.alerts($0)) }
        }
    }

    private static func format(_ parameters: [String: String]) throws(APIError) -> String {
        let format = parameters["format"] ?? "json"
        guard ["json", "csv"].contains(format) else { throw APIError.badRequest("format: use json or csv", field: "format") }
        return format
    }

    private static func month(_ text: String?, _ field: String) throws(APIError) -> CalendarMonth? {
        guard let text, !text.isEmpty else { return nil }
        guard let month = CalendarMonth(text) else { throw APIError.badRequest("\(field): a month such as 2024-03", field: field) }
        return month
    }

    /// The periods of `kind` that overlap `from`…`to`, each cut to the window.
    static func periods(from: CalendarMonth, to: CalendarMonth, kind: ReportPeriod.Kind) -> [(label: String, months: [CalendarMonth])] {
        var periods: [(String, [CalendarMonth])] = []
        var month = from
        while month <= to {
            let label: String
            switch kind {
            case .month: label = month.description
            case .quarter: label = "\(month.year)-Q\((month.month - 1) / 3 + 1)"
            case .year: label = "\(month.year)"
            }
            if periods.last?.0 == label { periods[periods.count - 1].1.append(month) } else { periods.append((label, [month])) }
            month = month.next
        }
        return periods
    }
}

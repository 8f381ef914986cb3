import CarbonModel
import Foundation
import GRDB
import Hummingbird
import ServiceKit

/// The operator's target for a site's PUE or WUE in a year, with an optional monthly alert
/// threshold: a row of `indicator_targets` and an item of `POST /v1/indicator-targets`.
struct IndicatorTarget: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "indicator_targets"
    /// The indicators a target may be set for.
    static let indicators = ["pue", "wue"]

    var site: String
    var year: Int
    var indicator: String
    /// The year's value to reach or stay under.
    var target: Double
    /// A month whose value exceeds this is an alert; nil: no alerts.
    var alertAbove: Double?

    enum CodingKeys: String, CodingKey {
        case site, year, indicator, target
        case alertAbove = "alert_above"
    }

    /// Refuses a target that could not mean anything, naming the field.
    func check() throws(APIError) {
        guard !site.isEmpty, site.count <= 200 else { throw APIError.badRequest("site: required, at most 200 characters", field: "site") }
        guard (2000...2100).contains(year) else { throw APIError.badRequest("year: between 2000 and 2100 (got \(year))", field: "year") }
        guard Self.indicators.contains(indicator) else {
            throw APIError.badRequest("indicator: use pue or wue (got \(String(indicator.prefix(40))))", field: "indicator")
        }
        guard target.isFinite, target > 0 else { throw APIError.badRequest("target: a finite number above 0", field: "target") }
        if let alertAbove, !(alertAbove.isFinite && alertAbove > 0) {
            throw APIError.badRequest("alert_above: a finite number above 0", field: "alert_above")
        }
    }
}

/// A target with where the site stands: the year's value so far (over the months measured),
/// whether it is at or under the target, and the months above the alert threshold.
struct IndicatorTargetStatus: Codable, Sendable {
    struct Alert: Codable, Sendable, Hashable {
        var month: String
        var value: Double
        var threshold: Double
    }

    var site: String
    var year: Int
    var indicator: String
    var target: Double
    var alertAbove: Double?
    /// Nil when the indicator could not be computed for any month of the year so far.
    var actual: Double?
    var status: SiteIndicators.Indicator.Status
    var months: [String]
    /// Nil when `actual` is.
    var onTrack: Bool?
    var alerts: [Alert]

    enum CodingKeys: String, CodingKey {
        case site, year, indicator, target
        case alertAbove = "alert_above"
        case actual, status, months
        case onTrack = "on_track"
        case alerts
    }
}

/// `GET /v1/indicator-targets`.
struct IndicatorTargetList: ResponseEncodable, Sendable { var targets: [IndicatorTargetStatus] }

/// `GET /v1/indicator-alerts`.
struct IndicatorAlertList: ResponseEncodable, Sendable { var alerts: [IndicatorAlert] }

/// A month of a site above its target's alert threshold, as kept for delivery: a row of
/// `indicator_alerts` and the body POSTed to the alert webhook (`alert` tells it from a budget
/// alert; a receiver de-duplicates by `alert` and `id`).
struct IndicatorAlert: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "indicator_alerts"
    var id: Int64?
    var alert = "indicator"
    var site: String
    var year: Int
    var indicator: String
    var month: String
    var value: Double
    var threshold: Double
    var delivered: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Reads and writes ``IndicatorTarget``s, works out their progress and keeps their alerts.
enum IndicatorTargetStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-indicator-alerts-v1") { db in
            try db.create(table: IndicatorAlert.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("alert", .text).notNull()
                t.column("site", .text).notNull()
                t.column("year", .integer).notNull()
                t.column("indicator", .text).notNull()
                t.column("month", .text).notNull()
                t.column("value", .double).notNull()
                t.column("threshold", .double).notNull()
                t.column("delivered", .boolean).notNull().defaults(to: false)
                // Each month above a threshold once, whatever its value does later.
                t.uniqueKey(["site", "indicator", "month", "threshold"])
            }
        }
        migrator.registerMigration("reporter-indicator-targets-v1") { db in
            try db.create(table: IndicatorTarget.databaseTableName) { t in
                t.column("site", .text).notNull()
                t.column("year", .integer).notNull()
                t.column("indicator", .text).notNull()
                t.column("target", .double).notNull()
                t.column("alert_above", .double)
                t.primaryKey(["site", "year", "indicator"])
            }
        }
    }

    /// Keeps every month above a target's threshold as an alert, each once; returns how many are new.
    @discardableResult
    static func evaluate(_ db: Database) throws -> Int {
        var raised = 0
        for status in try progress(db) {
            for alert in status.alerts {
                // Ignored when kept before (one alert per site, year, indicator and month).
                try IndicatorAlert(
                    id: nil, site: status.site, year: status.year, indicator: status.indicator, month: alert.month, value: alert.value,
                    threshold: alert.threshold, delivered: false
                ).insert(db, onConflict: .ignore)
                raised += db.changesCount
            }
        }
        return raised
    }

    /// The kept alerts, in the order they were raised; only those not yet delivered, when asked.
    static func alerts(_ db: Database, undeliveredOnly: Bool = false) throws -> [IndicatorAlert] {
        var request = IndicatorAlert.order(Column("id"))
        if undeliveredOnly { request = request.filter(Column("delivered") == false) }
        return try request.fetchAll(db)
    }

    /// Every target (of `year`, when given) with its progress, by site, year and indicator.
    static func progress(_ db: Database, year: Int? = nil) throws -> [IndicatorTargetStatus] {
        var request = IndicatorTarget.order(Column("site"), Column("year"), Column("indicator"))
        if let year { request = request.filter(Column("year") == year) }
        return try request.fetchAll(db).map { target in
            let period = (1...12).map { CalendarMonth(year: target.year, month: $0) }
            let months = try SiteMeasureStore.months(db, site: target.site, from: period[0], to: period[11])
            func value(_ indicators: SiteIndicators) -> SiteIndicators.Indicator { target.indicator == "wue" ? indicators.wue : indicators.pue }
            let year = value(SiteIndicators.compute(period: period, data: months))
            var alerts: [IndicatorTargetStatus.Alert] = []
            if let threshold = target.alertAbove {
                for month in months {
                    guard let monthly = value(SiteIndicators.compute(period: [month.month], data: [month])).value, monthly > threshold else { continue }
                    alerts.append(.init(month: month.month.description, value: monthly, threshold: threshold))
                }
            }
            return IndicatorTargetStatus(
                site: target.site, year: target.year, indicator: target.indicator, target: target.target, alertAbove: target.alertAbove,
                actual: year.value, status: year.status, months: year.months, onTrack: year.value.map { $0 <= target.target }, alerts: alerts)
        }
    }
}

import CarbonModel
import Foundation
import GRDB

/// A site-month's measured facility quantities and figures as the reporter keeps them, for
/// the data-centre indicators (docs/model.md §21). Replaced with the site rows of each new
/// version of the region-month; only the current version is kept (the ledger keeps history).
struct SiteMeasureRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "site_measures"

    var region: String
    var month: String
    var site: String
    /// The calculator partition that published the row (0 for a single calculator).
    var part: Int
    var measures: FacilityMeasures
    var figures: EmissionFigures
}

/// Reads and writes ``SiteMeasureRow``s: the one owner of the `site_measures` table.
enum SiteMeasureStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-site-measures-v1") { db in
            try db.create(table: "site_measures") { t in
                t.column("region", .text).notNull()
                t.column("month", .text).notNull()
                t.column("site", .text).notNull()
                t.column("part", .integer).notNull()
                t.column("measures", .jsonText).notNull()
                t.column("figures", .jsonText).notNull()
                t.primaryKey(["site", "month"])
            }
            try db.create(index: "site_measures_region_month", on: "site_measures", columns: ["region", "month"])
        }
    }

    /// Replaces the region-month's rows that `part` owns (all of them for a single
    /// calculator) with the sites of `result` that carry measures.
    static func replace(_ db: Database, result: RegionMonthResult, part: Int, partitioned: Bool) throws {
        let month = result.month.description
        var stale = SiteMeasureRow.filter(Column("region") == result.region && Column("month") == month)
        if partitioned { stale = stale.filter(Column("part") == part) }
        try stale.deleteAll(db)
        for site in result.sites {
            guard let measures = site.measures else { continue }
            // A site that moved region keeps one row per month: the newest publication's.
            try SiteMeasureRow(region: site.region, month: month, site: site.site, part: part, measures: measures, figures: site.figures)
                .upsert(db)
        }
    }

    /// The site's months from `from` to `to`, as the indicators take them.
    static func months(_ db: Database, site: String, from: CalendarMonth, to: CalendarMonth) throws -> [SiteIndicators.Month] {
        try SiteMeasureRow
            .filter(Column("site") == site && Column("month") >= from.description && Column("month") <= to.description)
            .order(Column("month"))
            .fetchAll(db)
            .compactMap { row in
                CalendarMonth(row.month).map { SiteIndicators.Month(month: $0, measures: row.measures, figures: row.figures) }
            }
    }

    /// Every site with measures, with its region (the latest month's).
    static func sites(_ db: Database) throws -> [(site: String, region: String)] {
        // Raw SQL because it is an aggregate (each site's latest month), not a row read as a value.
        try Row.fetchAll(db, sql: "SELECT site, region, MAX(month) FROM site_measures GROUP BY site ORDER BY site")
            .map { ($0["site"], $0["region"]) }
    }

    /// The site's region (its latest month's), or nil when it has no measures.
    static func region(of site: String) -> some FetchRequest<String> {
        SiteMeasureRow.filter(Column("site") == site).order(Column("month").desc).select(Column("region"), as: String.self)
    }

    /// The last month with measures of any site, or nil.
    static func latestMonth(_ db: Database) throws -> CalendarMonth? {
        // Raw SQL because it is an aggregate (MAX), not a row read as a value.
        try String.fetchOne(db, sql: "SELECT MAX(month) FROM site_measures").flatMap(CalendarMonth.init)
    }
}

import CarbonModel
import Contracts
import Foundation
import GRDB

/// The factors behind each region-month of the ledger, as the calculator's results carry them
/// (`factors_used` of sites and of estimated tenant cells), kept so that a report can list the
/// factors it rests on without asking anyone else's store. Replaced with the region-month.
enum ReportFactorStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("reporter-report-factors-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE report_factors (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        factor TEXT NOT NULL,
                        version TEXT NOT NULL,
                        value REAL NOT NULL,
                        PRIMARY KEY (region, month, factor, version, value)
                    ) WITHOUT ROWID;
                    """)
        }
        // What a report says about each factor: its activity, the unit of its value and its
        // source, as the calculator's results carry them (null for results from before).
        migrator.registerMigration("reporter-report-factors-v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE report_factors ADD COLUMN activity TEXT;
                    ALTER TABLE report_factors ADD COLUMN unit TEXT;
                    ALTER TABLE report_factors ADD COLUMN source TEXT;
                    """)
        }
    }

    /// Records the factors of a publication that was applied to the ledger (same transaction).
    static func record(_ db: Database, _ publication: RegionMonthPublication) throws {
        let month = publication.month.description
        try ReportFactorRow.filter(ReportFactorRow.Columns.region == publication.region && ReportFactorRow.Columns.month == month).deleteAll(db)
        for reference in publication.allFactorsUsed {
            // A factor named twice (by a site and by a tenant cell) is one row.
            try ReportFactorRow(
                region: publication.region, month: month, factor: reference.factor, version: reference.version, value: reference.value,
                activity: reference.activity, unit: reference.unit, source: reference.source
            ).insert(db, onConflict: .ignore)
        }
    }

    /// The factors used in `regions` over the months `first`…`last`, sorted by id, version, value.
    static func factors(_ db: Database, regions: [String], first: CalendarMonth, last: CalendarMonth) throws -> [ReportFactor] {
        guard !regions.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: regions.count).joined(separator: ", ")
        // Raw SQL because SQLite does the aggregation (GROUP BY with group_concat, MIN and MAX):
        // one row per factor comes back instead of one per region-month it was used in.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT factor, version, value, group_concat(DISTINCT region) AS regions, MIN(month) AS first, MAX(month) AS last,
                    MAX(activity) AS activity, MAX(unit) AS unit, MAX(source) AS source
                FROM report_factors WHERE month >= ? AND month <= ? AND region IN (\(marks))
                GROUP BY factor, version, value ORDER BY factor, version, value
                """,
            arguments: StatementArguments([first.description, last.description] + regions))
        return rows.map { row in
            let regionList = ((row["regions"] as String?) ?? "").split(separator: ",").map(String.init).sorted()
            return ReportFactor(
                factor: row["factor"], version: row["version"], value: row["value"], regions: regionList,
                firstMonth: row["first"], lastMonth: row["last"], unit: row["unit"], activity: row["activity"], source: row["source"])
        }
    }
}

/// A factor used in a region-month, as the calculator's results named it: a row of
/// `report_factors` (activity, unit and source are nil for results from before they were sent).
struct ReportFactorRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "report_factors"
    var region: String
    var month: String
    var factor: String
    var version: String
    var value: Double
    var activity: String?
    var unit: String?
    var source: String?

    enum Columns {
        static let region = Column(CodingKeys.region)
        static let month = Column(CodingKeys.month)
    }
}

/// A factor a report rests on: its id, version and value, where and when it was used, and
/// (when the calculator told us) its unit, activity and source.
struct ReportFactor: Sendable, Hashable {
    var factor: String
    var version: String
    var value: Double
    var regions: [String]
    var firstMonth: String
    var lastMonth: String
    var unit: String?
    var activity: String?
    var source: String?
}

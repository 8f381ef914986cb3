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
        try db.execute(sql: "DELETE FROM report_factors WHERE region = ? AND month = ?", arguments: [publication.region, month])
        for reference in publication.allFactorsUsed {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO report_factors (region, month, factor, version, value, activity, unit, source)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    publication.region, month, reference.factor, reference.version, reference.value, reference.activity, reference.unit,
                    reference.source,
                ])
        }
    }

    /// The factors used in `regions` over the months `first`…`last`, sorted by id, version, value.
    static func factors(_ db: Database, regions: [String], first: CalendarMonth, last: CalendarMonth) throws -> [ReportFactor] {
        guard !regions.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: regions.count).joined(separator: ", ")
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

import CarbonModel
import Foundation
import GRDB

/// Region-months whose calculation failed, with why. A failure takes the region-month off the
/// dirty list rather than leaving it to be retried ten times a second: the failure is stored
/// and shown (`/health` `failed_region_months`, the metric, one log line), the results already
/// published stay as they were, and new data for the region-month (a revised factor, a
/// corrected record) marks it dirty again, which is what can fix it.
enum CalculationFailures {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("calculator-failures-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE calculation_failures (
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        error TEXT NOT NULL,
                        failed_at_ms INTEGER NOT NULL,
                        PRIMARY KEY (region, month)
                    ) WITHOUT ROWID;
                    """)
        }
    }

    /// Records the failure and removes the dirty mark, in one transaction.
    static func record(_ db: Database, region: String, month: CalendarMonth, error: String) throws {
        try db.execute(
            sql: """
                INSERT INTO calculation_failures (region, month, error, failed_at_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (region, month) DO UPDATE SET error = excluded.error, failed_at_ms = excluded.failed_at_ms
                """,
            arguments: [region, month.description, error, CalculatorStore.nowMilliseconds()])
        try db.execute(sql: "DELETE FROM dirty WHERE region = ? AND month = ?", arguments: [region, month.description])
    }

    /// Forgets a region-month's failure once it calculated.
    static func clear(_ db: Database, region: String, month: CalendarMonth) throws {
        try db.cachedStatement(sql: "DELETE FROM calculation_failures WHERE region = ? AND month = ?")
            .execute(arguments: [region, month.description])
    }

    static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM calculation_failures") ?? 0
    }

    /// Each failed region-month as `region/month: error`, oldest first.
    static func list(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "SELECT region, month, error FROM calculation_failures ORDER BY failed_at_ms").map {
            "\($0["region"] as String)/\($0["month"] as String): \($0["error"] as String)"
        }
    }
}

/// A region-month whose figures came out infinite or not a number: its inputs hold a value so
/// large that a product overflowed. Named by where in the result the first such figure is.
struct NonFiniteFigure: Error, CustomStringConvertible {
    var region: String
    var month: CalendarMonth
    var path: String

    var description: String {
        "a figure of \(region) \(month) is not finite (at \(path)): an input or factor of this region-month is too large; revise it"
    }
}

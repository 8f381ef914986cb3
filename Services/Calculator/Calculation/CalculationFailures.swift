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
        // save, not upsert: GRDB's upsert returns the rowid, which a WITHOUT ROWID table lacks.
        // save updates the row with the key, or inserts it when there is none.
        try CalculationFailureRow(region: region, month: month.description, error: error, failedAtMs: CalculatorStore.nowMilliseconds())
            .save(db)
        try Table("dirty").filter(Column("region") == region && Column("month") == month.description).deleteAll(db)
    }

    /// Forgets a region-month's failure once it calculated.
    static func clear(_ db: Database, region: String, month: CalendarMonth) throws {
        // Raw SQL because this runs after every recalculation (the hot path): a cached statement
        // rather than a request built and prepared each time.
        try db.cachedStatement(sql: "DELETE FROM calculation_failures WHERE region = ? AND month = ?")
            .execute(arguments: [region, month.description])
    }

    static func count(_ db: Database) throws -> Int {
        try CalculationFailureRow.fetchCount(db)
    }

    /// Each failed region-month as `region/month: error`, oldest first.
    static func list(_ db: Database) throws -> [String] {
        try CalculationFailureRow.order(CalculationFailureRow.Columns.failedAtMs).fetchAll(db).map { "\($0.region)/\($0.month): \($0.error)" }
    }
}

/// A region-month whose last calculation failed, with why and when: a row of
/// `calculation_failures`.
struct CalculationFailureRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "calculation_failures"
    var region: String
    var month: String
    var error: String
    var failedAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case region, month, error
        case failedAtMs = "failed_at_ms"
    }
    enum Columns {
        static let failedAtMs = Column(CodingKeys.failedAtMs)
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

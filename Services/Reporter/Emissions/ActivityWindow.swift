import CarbonModel
import GRDB

/// The months with activity data: embodied hardware is amortized over years ahead, so the
/// ledger holds months far beyond the data received, with nothing but amortized scope 3 in
/// them. Answers that are not asked for a period end at the latest month with activity; the
/// later months stay available to a query that names them (`to=`).
enum ActivityWindow {
    // Raw SQL because these are aggregates (MAX, DISTINCT) over the ledger views, one per region
    // so that the primary key answers; they return single values, not rows.
    /// A ledger row with activity: energy, or emissions other than amortized scope 3.
    static let activeRow = "energy_kwh <> 0 OR scope1 <> 0 OR scope2_location <> 0 OR scope2_market <> 0"

    /// The latest month in which a site had energy or scope 1 or 2 emissions, or a tenant had
    /// usage; nil when there is none.
    static func latestActivityMonth(_ db: Database) throws -> CalendarMonth? {
        var latest = try String.fetchOne(
            db,
            sql: """
                SELECT MAX(month) FROM ledger_cells
                WHERE layer = 'site' AND (\(activeRow))
                """)
        // Per region, so that the primary key answers instead of a scan of every tenant cell.
        for region in try String.fetchAll(db, sql: "SELECT DISTINCT region FROM versions") {
            if let month = try String.fetchOne(db, sql: "SELECT MAX(month) FROM tenant_cells WHERE region = ?", arguments: [region]),
                month > (latest ?? "")
            {
                latest = month
            }
        }
        return latest.flatMap(CalendarMonth.init)
    }

    /// The months a subject's ledger rows cover: the first and last, and the latest with
    /// activity (nil each when there are none).
    struct Span: Sendable {
        var first: CalendarMonth?
        var last: CalendarMonth?
        var active: CalendarMonth?
    }

    /// The span of a tenant's cells, or of the sites (the provider) when `tenant` is nil.
    static func span(_ db: Database, tenant: String?) throws -> Span {
        let columns = "MIN(month) AS first, MAX(month) AS last, MAX(CASE WHEN \(activeRow) THEN month END) AS active"
        let row =
            try tenant.map { try Row.fetchOne(db, sql: "SELECT \(columns) FROM ledger WHERE layer = 'tenant' AND tenant = ?", arguments: [$0]) }
            ?? Row.fetchOne(db, sql: "SELECT \(columns) FROM ledger WHERE layer = 'site'")
        func month(_ column: String) -> CalendarMonth? { (row?[column] as String?).flatMap(CalendarMonth.init) }
        return Span(first: month("first"), last: month("last"), active: month("active"))
    }
}
